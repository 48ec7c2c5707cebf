// How transfer-vs-share reports its measurements: the table, the CSV file
// and the plot.

package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	_ "gonum.org/v1/plot/vg/vgimg" // png, jpg and tiff for -plot
)

// printTransferTable prints the results; with node results, each row also
// shows Node.js's median round trip for the same mode and size and how many
// times sharc's that is.
func printTransferTable(w io.Writer, results, node []transferResult) {
	copyP50 := map[int]float64{}
	for _, r := range results {
		if r.Mode == "copy" {
			copyP50[r.Bytes] = r.RTp50us
		}
	}
	nodeP50 := map[string]float64{}
	for _, r := range node {
		nodeP50[r.Mode+"/"+strconv.Itoa(r.Bytes)] = r.RTp50us
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "mode\tsize\ttouch\tround trips\tround trip p50 (µs)\tp99 (µs)\t"
	if len(copyP50) > 0 {
		head += "vs copy\t"
	}
	if len(node) > 0 {
		head += "Node.js p50 (µs)\tNode.js ÷ sharc\t"
	}
	fmt.Fprintln(tw, head)
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%.3f\t%.3f\t", r.Mode, formatSize(r.Bytes), r.Touch, r.Iters, r.RTp50us, r.RTp99us)
		if len(copyP50) > 0 {
			vs := "-"
			if c, ok := copyP50[r.Bytes]; ok && r.RTp50us > 0 {
				vs = times(c / r.RTp50us)
			}
			fmt.Fprintf(tw, "%s\t", vs)
		}
		if len(node) > 0 {
			if n, ok := nodeP50[r.Mode+"/"+strconv.Itoa(r.Bytes)]; ok && r.RTp50us > 0 {
				fmt.Fprintf(tw, "%.3f\t%s\t", n, times(n/r.RTp50us))
			} else {
				fmt.Fprintf(tw, "-\t-\t")
			}
		}
		fmt.Fprintln(tw)
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "Round trips are timed in batches (at least 50 µs each); p50 and p99 are over the batches' means.")
	if len(copyP50) > 0 {
		fmt.Fprintln(w, "vs copy = the copying round trip's p50 ÷ this one's at the same size (how many times faster than copying).")
	}
	if len(node) > 0 {
		fmt.Fprintln(w, "Node.js ÷ sharc above 1 means sharc's round trip is the shorter; the Node.js figures come from -node, measured separately.")
	}
}

// times formats a ratio with three significant digits, or whole above 1000.
func times(x float64) string {
	if x >= 1000 {
		return fmt.Sprintf("%.0f×", x)
	}
	return fmt.Sprintf("%.3g×", x)
}

// readTransferResults reads the JSON lines of a transfer-vs-share run (this
// command's -json output or bench/node/transfer/transfer.mjs's).
func readTransferResults(name string) ([]transferResult, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var out []transferResult
	for i, line := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var r transferResult
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, i+1, err)
		}
		if !slices.Contains(transferModes, r.Mode) || r.Bytes <= 0 || !(r.RTp50us > 0) {
			return nil, fmt.Errorf("%s:%d: not a transfer-vs-share result (want mode, bytes and rt_us_p50): %s", name, i+1, line)
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no results", name)
	}
	return out, nil
}

func writeTransferCSV(name string, results []transferResult) (err error) {
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("transfer-vs-share: %w", err)
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	cw := csv.NewWriter(f)
	_ = cw.Write([]string{"mode", "bytes", "touch", "iters", "rt_us_p50", "rt_us_p99"})
	for _, r := range results {
		_ = cw.Write([]string{r.Mode, strconv.Itoa(r.Bytes), r.Touch, strconv.Itoa(r.Iters),
			strconv.FormatFloat(r.RTp50us, 'g', -1, 64), strconv.FormatFloat(r.RTp99us, 'g', -1, 64)})
	}
	cw.Flush()
	return cw.Error()
}

// plotTransfer draws median round trip against payload size, log-log, one
// line per mode; with node results, a dashed line of the same colour per
// mode for Node.js.
func plotTransfer(name string, results, node []transferResult) error {
	p := plot.New()
	touch := "ends"
	if len(results) > 0 {
		touch = results[0].Touch
	}
	title := "sharc"
	if len(node) > 0 {
		title = "sharc (solid) and Node.js (dashed)"
	}
	p.Title.Text = fmt.Sprintf("%s: hand a float64 payload to a worker and back (-touch %s)", title, touch)
	p.Title.Padding = vg.Points(8)
	p.X.Label.Text = "payload size"
	p.Y.Label.Text = "median round trip (µs)"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = sizeTicks{}, oneTwoFiveTicks{}
	p.Add(plotter.NewGrid())
	// The legend goes in a column of its own right of the axes, so it
	// covers neither the lines nor the title.
	leg := plot.NewLegend()
	leg.Top, leg.Left = true, true
	for i, mode := range transferModes {
		for _, s := range []struct {
			rs    []transferResult
			label string
			dash  []vg.Length
		}{{results, mode, nil}, {node, mode + " (Node.js)", []vg.Length{vg.Points(4), vg.Points(3)}}} {
			xys := modeXYs(s.rs, mode)
			if len(xys) == 0 {
				continue
			}
			l, pts, err := plotter.NewLinePoints(xys)
			if err != nil {
				return fmt.Errorf("transfer-vs-share: plot: %w", err)
			}
			l.Color, pts.Color = plotutil.Color(i), plotutil.Color(i)
			l.Dashes = s.dash
			pts.Shape = plotutil.Shape(i)
			p.Add(l, pts)
			leg.Add(s.label, l, pts)
		}
	}
	if err := savePlot(p, leg, 9*vg.Inch, 5*vg.Inch, name); err != nil {
		return fmt.Errorf("transfer-vs-share: plot: %w", err)
	}
	return nil
}

// savePlot draws p with leg in a column right of it into a w×h image whose
// format follows name's extension (png, svg, pdf, ...).
func savePlot(p *plot.Plot, leg plot.Legend, w, h vg.Length, name string) (err error) {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(name)), ".")
	c, err := draw.NewFormattedCanvas(w, h, format)
	if err != nil {
		return err
	}
	dc := draw.New(c)
	r := leg.Rectangle(dc)
	legendW := r.Max.X - r.Min.X + vg.Points(16)
	p.Draw(draw.Crop(dc, 0, -legendW, 0, 0))
	// Start the legend level with the top of the axes, below the title.
	leg.YOffs = -(p.Title.TextStyle.Height(p.Title.Text) + p.Title.Padding + vg.Points(8))
	leg.Draw(draw.Crop(dc, w-legendW+vg.Points(8), 0, 0, 0))
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	_, err = c.WriteTo(f)
	return err
}

// modeXYs is one mode's (size, median round trip) points.
func modeXYs(rs []transferResult, mode string) plotter.XYs {
	var xys plotter.XYs
	for _, r := range rs {
		if r.Mode == mode {
			xys = append(xys, plotter.XY{X: float64(r.Bytes), Y: math.Max(r.RTp50us, 1e-3)})
		}
	}
	return xys
}
