// How transfer-vs-share reports its measurements: the table, the CSV file
// and the plot.

package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"text/tabwriter"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

func printTransferTable(w io.Writer, results []transferResult) {
	copyP50 := map[int]float64{}
	for _, r := range results {
		if r.Mode == "copy" {
			copyP50[r.Bytes] = r.RTp50us
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "mode\tsize\ttouch\tround trips\tround trip p50 (µs)\tp99 (µs)\t"
	if len(copyP50) > 0 {
		head += "vs copy\t"
	}
	fmt.Fprintln(tw, head)
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%.3f\t%.3f\t", r.Mode, formatSize(r.Bytes), r.Touch, r.Iters, r.RTp50us, r.RTp99us)
		if len(copyP50) > 0 {
			vs := "-"
			if c, ok := copyP50[r.Bytes]; ok && r.RTp50us > 0 {
				vs = fmt.Sprintf("%.3g×", c/r.RTp50us)
				if c/r.RTp50us >= 1000 {
					vs = fmt.Sprintf("%.0f×", c/r.RTp50us)
				}
			}
			fmt.Fprintf(tw, "%s\t", vs)
		}
		fmt.Fprintln(tw)
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "Round trips are timed in batches (at least 50 µs each); p50 and p99 are over the batches' means.")
	if len(copyP50) > 0 {
		fmt.Fprintln(w, "vs copy = the copying round trip's p50 ÷ this one's at the same size (how many times faster than copying).")
	}
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
// line per mode.
func plotTransfer(name string, results []transferResult) error {
	p := plot.New()
	touch := "ends"
	if len(results) > 0 {
		touch = results[0].Touch
	}
	p.Title.Text = fmt.Sprintf("sharc: hand a float64 payload to a goroutine and back (-touch %s)", touch)
	p.Title.Padding = vg.Points(8)
	p.X.Label.Text = "payload size"
	p.Y.Label.Text = "median round trip (µs)"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = sizeTicks{}, oneTwoFiveTicks{}
	// Top left, inset from the axes: the copy line rises to the right.
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(8), -vg.Points(8)
	p.Add(plotter.NewGrid())
	var lines []any
	for _, mode := range transferModes {
		var xys plotter.XYs
		for _, r := range results {
			if r.Mode == mode {
				xys = append(xys, plotter.XY{X: float64(r.Bytes), Y: math.Max(r.RTp50us, 1e-3)})
			}
		}
		if len(xys) > 0 {
			lines = append(lines, mode, xys)
		}
	}
	if err := plotutil.AddLinePoints(p, lines...); err != nil {
		return fmt.Errorf("transfer-vs-share: plot: %w", err)
	}
	if err := p.Save(8*vg.Inch, 5*vg.Inch, name); err != nil {
		return fmt.Errorf("transfer-vs-share: plot: %w", err)
	}
	return nil
}
