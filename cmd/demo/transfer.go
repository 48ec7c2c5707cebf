package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/sharc-go/sharc/shm"
)

// transferModes are the ways the benchmark hands the payload over, in the
// order they are run and reported.
var transferModes = []string{"copy", "transfer", "share", "share-spin"}

// transferResult is one cell of the benchmark, and one -json line.
type transferResult struct {
	Mode    string  `json:"mode"`
	Bytes   int     `json:"bytes"`
	Touch   string  `json:"touch"`
	Iters   int     `json:"iters"`
	RTp50us float64 `json:"rt_us_p50"`
	RTp99us float64 `json:"rt_us_p99"`
}

func runTransferVsShare(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("transfer-vs-share", stderr)
	sizesFlag := fs.String("sizes", "1KiB,64KiB,1MiB,16MiB,64MiB,256MiB", "payload sizes, comma-separated (B, KiB, MiB, GiB suffixes)")
	touch := fs.String("touch", "ends", "what each side reads on each hop: ends (first and last element) or all (sum of every element)")
	modesFlag := fs.String("modes", strings.Join(transferModes, ","), "modes to run, comma-separated")
	jsonOut := fs.Bool("json", false, "print one JSON object per line instead of a table")
	csvFile := fs.String("csv", "", "also write the results as CSV to `FILE`")
	plotFile := fs.String("plot", "", "also draw round trip against size, log-log, into `FILE.png` (e.g. $TMPDIR/transfer.png)")
	budget := fs.Duration("time", 500*time.Millisecond, "time spent on each mode and size")
	nodeFile := fs.String("node", "", "Node.js results to show beside sharc's: the JSON lines of `FILE` written by\n'node bench/node/transfer/transfer.mjs' (same flags); adds a Node.js column and plot series")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *touch != "ends" && *touch != "all" {
		return badFlag("-touch must be ends or all, got %q", *touch)
	}
	sizes, err := parseSizes(*sizesFlag)
	if err != nil {
		return badFlag("-sizes: %v", err)
	}
	modes := strings.Split(*modesFlag, ",")
	for _, m := range modes {
		if !slices.Contains(transferModes, m) {
			return badFlag("-modes: unknown mode %q (want %s)", m, strings.Join(transferModes, ", "))
		}
	}
	if *budget <= 0 {
		return badFlag("-time must be > 0, got %v", *budget)
	}
	var node []transferResult
	if *nodeFile != "" {
		if node, err = readTransferResults(*nodeFile); err != nil {
			return badFlag("-node: %v", err)
		}
	}

	var bar *progressbar.ProgressBar
	if f, ok := stderr.(*os.File); ok && isTerminal(f) {
		bar = progressbar.NewOptions(len(modes)*len(sizes),
			progressbar.OptionSetWriter(f),
			progressbar.OptionSetDescription("transfer-vs-share"),
			progressbar.OptionShowCount(),
			progressbar.OptionClearOnFinish())
	}
	var results []transferResult
	for _, size := range sizes {
		for _, mode := range modes {
			if bar != nil {
				bar.Describe(fmt.Sprintf("%-10s %8s", mode, formatSize(size)))
			}
			r, err := measureTransfer(mode, size, *touch, *budget)
			if err != nil {
				return err
			}
			results = append(results, r)
			if bar != nil {
				_ = bar.Add(1)
			}
			if *jsonOut {
				line, err := json.Marshal(r)
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, "%s\n", line)
			}
		}
	}
	if bar != nil {
		_ = bar.Finish()
	}
	if !*jsonOut {
		printTransferTable(stdout, results, node)
	}
	if *csvFile != "" {
		if err := writeTransferCSV(*csvFile, results); err != nil {
			return err
		}
	}
	if *plotFile != "" {
		if err := plotTransfer(*plotFile, results, node); err != nil {
			return err
		}
		abs, err := filepath.Abs(*plotFile)
		if err != nil {
			abs = *plotFile
		}
		fmt.Fprintf(stderr, "transfer-vs-share: plot written to %s\n", abs)
	}
	return nil
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// parseSizes parses "1KiB,64KiB,1MiB" into bytes.
func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		orig, mult := f, 1
		for _, u := range []struct {
			suffix string
			mult   int
		}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}} {
			if strings.HasSuffix(f, u.suffix) {
				f, mult = strings.TrimSuffix(f, u.suffix), u.mult
				break
			}
		}
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("bad size %q (want a positive number with B, KiB, MiB or GiB)", orig)
		}
		if n*mult%8 != 0 {
			return nil, fmt.Errorf("size %s is not a whole number of float64s (a multiple of 8 bytes)", orig)
		}
		out = append(out, n*mult)
	}
	return out, nil
}

func formatSize(b int) string {
	switch {
	case b >= 1<<30 && b%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", b>>30)
	case b >= 1<<20 && b%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", b>>20)
	case b >= 1<<10 && b%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", b>>10)
	}
	return fmt.Sprintf("%dB", b)
}

// touchFunc reads the payload as each side does on each hop. The result is
// kept in a sink so the reads cannot be optimized away.
func touchFunc(touch string) func([]float64) float64 {
	if touch == "all" {
		return func(d []float64) float64 {
			var s float64
			for _, v := range d {
				s += v
			}
			return s
		}
	}
	return func(d []float64) float64 { return d[0] + d[len(d)-1] }
}

var touchSink atomic.Uint64

// batchMin is the shortest batch of round trips timed as one: long enough
// that the two clock reads around it are noise, not part of a round trip.
const batchMin = 50 * time.Microsecond

// measureTransfer runs round trips of one mode and size for about budget
// and summarizes them. Round trips are timed in batches (at least 3, at most
// 1e6 round trips in all) of k round trips each, k doubled until a batch
// takes batchMin; the percentiles are over the batches' mean round trips.
func measureTransfer(mode string, size int, touch string, budget time.Duration) (transferResult, error) {
	n := max(1, size/8)
	var pp pingPong
	switch mode {
	case "copy", "transfer":
		pp = newChannelPingPong(n, mode == "copy", touchFunc(touch))
	case "share", "share-spin":
		sp, err := newSharedPingPong(n, mode == "share-spin", touchFunc(touch))
		if err != nil {
			return transferResult{}, fmt.Errorf("transfer-vs-share: %w", err)
		}
		pp = sp
	default:
		return transferResult{}, fmt.Errorf("transfer-vs-share: unknown mode %q", mode)
	}
	defer pp.stop()
	var sum float64
	for range 3 { // warm up: page faults, first wake-ups
		sum += pp.roundTrip()
	}
	batch := func(k int) time.Duration {
		t0 := time.Now()
		for range k {
			sum += pp.roundTrip()
		}
		return time.Since(t0)
	}
	k := 1
	for k < 1<<16 && batch(k) < batchMin {
		k *= 2
	}
	rts := make([]time.Duration, 0, 1024)
	iters := 0
	start := time.Now()
	for len(rts) < 3 || (time.Since(start) < budget && iters < 1_000_000) {
		rts = append(rts, batch(k)/time.Duration(k))
		iters += k
	}
	touchSink.Add(math.Float64bits(sum))
	slices.Sort(rts)
	p50 := rts[len(rts)/2]
	p99 := rts[min(len(rts)-1, len(rts)*99/100)]
	return transferResult{
		Mode:    mode,
		Bytes:   n * 8,
		Touch:   touch,
		Iters:   iters,
		RTp50us: round3(float64(p50) / 1e3),
		RTp99us: round3(float64(p99) / 1e3),
	}, nil
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// pingPong hands a payload to a worker goroutine and back.
type pingPong interface {
	roundTrip() float64 // returns what this side read, for the sink
	stop()
}

// channelPingPong sends *shm.Buffer over channels, transferring or cloning
// it on each hop.
type channelPingPong struct {
	buf       *shm.Buffer[float64]
	to, back  chan *shm.Buffer[float64]
	done      chan struct{}
	clone     bool
	touchData func([]float64) float64
}

func newChannelPingPong(n int, clone bool, touch func([]float64) float64) *channelPingPong {
	p := &channelPingPong{
		buf:       shm.NewBuffer[float64](n),
		to:        make(chan *shm.Buffer[float64]),
		back:      make(chan *shm.Buffer[float64]),
		done:      make(chan struct{}),
		clone:     clone,
		touchData: touch,
	}
	fill(p.buf.Data())
	go func() {
		defer close(p.done)
		var sum float64 // local: a shared sink would add a contended cache line to every hop
		for b := range p.to {
			sum += touch(b.Data())
			p.back <- p.hand(b)
		}
		touchSink.Add(math.Float64bits(sum))
	}()
	return p
}

// hand is one hop: a copy (structured clone) or a transfer.
func (p *channelPingPong) hand(b *shm.Buffer[float64]) *shm.Buffer[float64] {
	if p.clone {
		return b.Clone()
	}
	return b.Transfer()
}

func (p *channelPingPong) roundTrip() float64 {
	p.to <- p.hand(p.buf)
	p.buf = <-p.back
	return p.touchData(p.buf.Data())
}

func (p *channelPingPong) stop() {
	close(p.to)
	<-p.done
}

func fill(d []float64) {
	for i := range d {
		d[i] = float64(i%1000) * 0.5
	}
}

// sharedPingPong keeps one payload both sides see in a shm.Region and
// passes the turn with a word in the same region: 0 is the main side's turn,
// 1 the worker's, 2 tells the worker to stop.
type sharedPingPong struct {
	region    *shm.Region
	data      []float64
	turn      *shm.Uint32
	spin      bool
	ownCore   bool // GOMAXPROCS ≥ 2: each side can spin on a P of its own
	done      chan struct{}
	touchData func([]float64) float64
}

// payloadOffset leaves the first cache lines of the region to the turn word,
// so the payload never shares a line with it.
const payloadOffset = 128

func newSharedPingPong(n int, spin bool, touch func([]float64) float64) (*sharedPingPong, error) {
	r, err := shm.New(payloadOffset + 8*n)
	if err != nil {
		return nil, err
	}
	turn, err := r.Uint32(0)
	if err != nil {
		r.Close()
		return nil, err
	}
	data, err := shm.View[float64](r, payloadOffset, n)
	if err != nil {
		r.Close()
		return nil, err
	}
	p := &sharedPingPong{region: r, data: data, turn: turn, spin: spin, ownCore: runtime.GOMAXPROCS(0) >= 2,
		done: make(chan struct{}), touchData: touch}
	fill(p.data)
	go func() {
		defer close(p.done)
		var sum float64 // local: a shared sink would add a contended cache line to every hop
		for {
			v := p.await(0)
			if v == 2 {
				touchSink.Add(math.Float64bits(sum))
				return
			}
			sum += touch(p.data)
			p.pass(0)
		}
	}()
	return p, nil
}

// await waits until the turn word differs from v and returns its new value.
// Spinning, the hot loop is a bare Load, as Node.js's Atomics.load loop is.
// Only after spinSpan loads without an answer (tens of µs, where a round
// trip between running cores takes well under one) does it yield: on a
// machine with more runnable threads than cores, the scheduler can then run
// both sides on one thread instead of waiting for the OS to run both at
// once. With one P the peer can only run when this side yields, so it
// yields on every miss.
func (p *sharedPingPong) await(v uint32) uint32 {
	if p.spin {
		span := 1
		if p.ownCore {
			span = spinSpan
		}
		for {
			for range span {
				if w := p.turn.Load(); w != v {
					return w
				}
			}
			runtime.Gosched()
		}
	}
	for {
		if w := p.turn.Load(); w != v {
			return w
		}
		_, _ = p.turn.Wait(v, time.Second)
	}
}

// spinSpan is the number of loads a spinning side makes before it yields.
const spinSpan = 1 << 14

func (p *sharedPingPong) pass(v uint32) {
	p.turn.Store(v)
	if !p.spin {
		p.turn.Notify(1)
	}
}

func (p *sharedPingPong) roundTrip() float64 {
	p.pass(1)
	p.await(1)
	return p.touchData(p.data)
}

func (p *sharedPingPong) stop() {
	p.pass(2)
	<-p.done
	p.region.Close()
}

// tourTransfer shows the three ways to hand a payload over at two sizes.
func tourTransfer(w io.Writer) error {
	fmt.Fprintln(w, "Hand a float64 payload to a goroutine and back: copy it (Clone), move it")
	fmt.Fprintln(w, "(Transfer: the sender's handle is detached, no bytes move), or share it")
	fmt.Fprintln(w, "(both sides see the same memory; a shared word passes the turn).")
	var results []transferResult
	for _, size := range []int{1 << 10, 4 << 20} {
		for _, mode := range transferModes {
			r, err := measureTransfer(mode, size, "ends", 150*time.Millisecond)
			if err != nil {
				return err
			}
			results = append(results, r)
		}
	}
	printTransferTable(w, results, nil)
	// results holds 1 KiB then 4 MiB, in transferModes order.
	k := len(transferModes)
	fmt.Fprintf(w, "At 4 MiB a copying round trip takes %.0f × a transferring one; transfer went from %.2f µs (1 KiB) to %.2f µs (4 MiB).\n",
		results[k].RTp50us/results[k+1].RTp50us, results[1].RTp50us, results[k+1].RTp50us)
	fmt.Fprintf(w, "Full run: go run ./cmd/demo transfer-vs-share -plot %s\n", filepath.Join(os.TempDir(), "transfer.png"))
	return nil
}
