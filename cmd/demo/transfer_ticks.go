// Axis ticks for the transfer-vs-share plot.

package main

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// sizeTicks marks byte sizes on a log axis at powers of two, labelled in
// B/KiB/MiB/GiB: every power of four, or of sixteen on a wide axis.
type sizeTicks struct{}

func (sizeTicks) Ticks(lo, hi float64) []plot.Tick {
	lo2, hi2 := int(math.Floor(math.Log2(math.Max(lo, 1)))), int(math.Ceil(math.Log2(math.Max(hi, 1))))
	step := 2
	if hi2-lo2 > 16 {
		step = 4
	}
	var ts []plot.Tick
	for e := lo2; e <= hi2 && e < 62; e++ {
		v := float64(int64(1) << e)
		if v < lo || v > hi {
			continue
		}
		t := plot.Tick{Value: v}
		if e%step == 0 {
			t.Label = formatSize(1 << e)
		}
		ts = append(ts, t)
	}
	return ts
}

// oneTwoFiveTicks marks a log axis at 1, 2 and 5 times each power of ten,
// labelled in plain decimals, so that values below 1 are readable too.
type oneTwoFiveTicks struct{}

func (oneTwoFiveTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for e := math.Floor(math.Log10(math.Max(lo, 1e-9))); e <= math.Ceil(math.Log10(math.Max(hi, 1e-9))); e++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, e)
			if v < lo || v > hi {
				continue
			}
			ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64)})
		}
	}
	if len(ts) < 2 { // a narrow axis: label its ends
		ts = append(ts, plot.Tick{Value: lo, Label: strconv.FormatFloat(lo, 'g', 3, 64)}, plot.Tick{Value: hi, Label: strconv.FormatFloat(hi, 'g', 3, 64)})
	}
	return ts
}
