package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"time"

	"github.com/sharc-go/sharc/shm"
)

// childEnv marks a re-executed copy of this binary and names its role.
const childEnv = "SHARC_DEMO_CHILD"

// runChildIfRequested turns this process into a demo child when the parent
// re-executed it with the marker set; it never returns then.
func runChildIfRequested() {
	role := os.Getenv(childEnv)
	if role == "" {
		return
	}
	var err error
	switch role {
	case spawnChildMarker:
		runSpawnChild()
	case "shm-sum":
		err = childShmSum()
	default:
		err = fmt.Errorf("unknown child role %q", role)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo child:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// Layout of the shm demo region: a control block, then the data.
const (
	offGo     = 0                             // Int32: 1 = go, sum the second half
	offDone   = shm.WordSize                  // Int32: 1 = child done
	offResult = 2 * shm.WordSize              // float64: the child's partial sum
	offN      = offResult + 8                 // Int64: element count
	offData   = offResult + 16 + shm.WordSize // a spare word, then the data
)

func runShm(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("shm", stderr)
	n := fs.Int("n", 1<<24, "float64 elements in the shared region")
	asJSON := fs.Bool("json", false, "print one JSON object instead of text")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := atLeast("n", *n, 1); err != nil {
		return err
	}
	res, err := shmDemo(*n)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(res)
	}
	printShm(stdout, res)
	return nil
}

type shmResult struct {
	Bytes        int     `json:"bytes"`
	Elements     int     `json:"elements"`
	ParentSum    float64 `json:"parent_sum"`
	ChildSum     float64 `json:"child_sum"`
	Total        float64 `json:"total"`
	Check        float64 `json:"check_single_pass"`
	FillMs       float64 `json:"fill_ms"`
	ChildMs      float64 `json:"child_start_and_sum_ms"`
	SingleMs     float64 `json:"single_pass_sum_ms"` // the whole sum in this process alone
	PingPongNs   float64 `json:"goroutine_wait_notify_rt_ns"`
	ChannelRTNs  float64 `json:"goroutine_channel_rt_ns"`
	ChildPID     int     `json:"child_pid"`
	SameAnswer   bool    `json:"same_answer"`
	CopiedBytes  int     `json:"copied_bytes"`
	RegionSource string  `json:"region"`
}

// shmDemo maps an anonymous region, fills it with random float64s, and sums
// it in two processes: this one sums the first half, a child that inherits
// the region's fd sums the second. They synchronize with words in the region.
func shmDemo(n int) (shmResult, error) {
	var res shmResult
	size := offData + 8*n
	r, err := shm.Options{Populate: true}.New(size)
	if err != nil {
		return res, err
	}
	defer r.Close()
	res.Bytes, res.Elements, res.RegionSource = r.Len(), n, "memfd, passed to the child as fd 3"

	start := time.Now()
	xs, err := shm.View[float64](r, offData, n)
	if err != nil {
		return res, err
	}
	for i := range xs {
		xs[i] = rand.Float64()
	}
	res.FillMs = ms(time.Since(start))
	count, _ := r.Int64(offN)
	count.Store(int64(n))
	goWord, _ := r.Int32(offGo)
	done, _ := r.Int32(offDone)

	f, err := r.File()
	if err != nil {
		return res, err
	}
	exe, err := os.Executable()
	if err != nil {
		f.Close()
		return res, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), childEnv+"=shm-sum")
	cmd.ExtraFiles = []*os.File{f}
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = childAttr()
	err = cmd.Start()
	f.Close()
	if err != nil {
		return res, err
	}
	defer cmd.Wait()
	res.ChildPID = cmd.Process.Pid

	start = time.Now()
	goWord.Store(1)
	goWord.Notify(1)
	for _, x := range xs[:n/2] {
		res.ParentSum += x
	}
	for done.Load() == 0 {
		if _, err := done.Wait(0, 10*time.Second); err != nil {
			cmd.Process.Kill()
			return res, err
		}
		if time.Since(start) > 30*time.Second {
			cmd.Process.Kill()
			return res, fmt.Errorf("child did not finish")
		}
	}
	res.ChildMs = ms(time.Since(start))
	res.ChildSum = math64(r, offResult)
	res.Total = res.ParentSum + res.ChildSum
	start = time.Now()
	for _, x := range xs {
		res.Check += x
	}
	res.SingleMs = ms(time.Since(start))
	rel := (res.Total - res.Check) / res.Check
	res.SameAnswer = rel < 1e-9 && rel > -1e-9
	res.PingPongNs, res.ChannelRTNs = pingPongNs(r)
	return res, cmd.Wait()
}

func math64(r *shm.Region, off int) float64 {
	v, _ := shm.View[float64](r, off, 1)
	return v[0]
}

// childShmSum is the child side of shmDemo.
func childShmSum() error {
	r, err := shm.OpenFile(os.NewFile(3, "region"))
	if err != nil {
		return err
	}
	defer r.Close()
	goWord, _ := r.Int32(offGo)
	done, _ := r.Int32(offDone)
	count, _ := r.Int64(offN)
	for goWord.Load() == 0 {
		if _, err := goWord.Wait(0, 10*time.Second); err != nil {
			return err
		}
	}
	n := int(count.Load())
	xs, err := shm.View[float64](r, offData, n)
	if err != nil {
		return err
	}
	// The region came from another process: if it shrinks under us, the
	// fault becomes shm.ErrTruncated instead of killing this process.
	err = shm.Guard(func() {
		var s float64
		for _, x := range xs[n/2:] {
			s += x
		}
		out, _ := shm.View[float64](r, offResult, 1)
		out[0] = s
	})
	if err != nil {
		return fmt.Errorf("summing the shared region: %w", err)
	}
	done.Store(1)
	done.Notify(1)
	return nil
}

// pingPongNs measures a Wait/Notify round trip between two goroutines on a
// region word and, as the baseline, an unbuffered channel round trip.
func pingPongNs(r *shm.Region) (word, channel float64) {
	const rounds = 20000
	x, err := r.Int32(offData - shm.WordSize) // an unused word of the control block
	if err != nil {
		return 0, 0
	}
	stop := make(chan struct{})
	go func() {
		defer close(stop)
		for i := int32(0); i < rounds; i++ {
			for x.Load() != 2*i+1 {
				x.Wait(2*i, time.Second)
			}
			x.Store(2*i + 2)
			x.Notify(1)
		}
	}()
	start := time.Now()
	for i := int32(0); i < rounds; i++ {
		x.Store(2*i + 1)
		x.Notify(1)
		for x.Load() != 2*i+2 {
			x.Wait(2*i+1, time.Second)
		}
	}
	word = float64(time.Since(start).Nanoseconds()) / rounds
	<-stop

	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v
		}
	}()
	start = time.Now()
	for i := range rounds {
		ping <- i
		<-pong
	}
	channel = float64(time.Since(start).Nanoseconds()) / rounds
	close(ping)
	return word, channel
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func printShm(w io.Writer, res shmResult) {
	fmt.Fprintf(w, "region: %d MiB (%s), %d random float64s\n", res.Bytes>>20, res.RegionSource, res.Elements)
	fmt.Fprintf(w, "parent (pid %d) summed the first half:  %.6f\n", os.Getpid(), res.ParentSum)
	fmt.Fprintf(w, "child  (pid %d) summed the second half: %.6f\n", res.ChildPID, res.ChildSum)
	fmt.Fprintf(w, "total %.6f = single-pass check %.6f: %v; bytes copied between processes: %d\n", res.Total, res.Check, res.SameAnswer, res.CopiedBytes)
	fmt.Fprintf(w, "start child + both halves summed: %.1f ms; the whole sum in this process alone: %.1f ms\n", res.ChildMs, res.SingleMs)
	fmt.Fprintf(w, "round trip between two goroutines: Wait/Notify on a region word %.0f ns, unbuffered channel %.0f ns\n", res.PingPongNs, res.ChannelRTNs)
}

func tourShm(w io.Writer) error {
	fmt.Fprintln(w, "A region is memory that goroutines and processes share without copying.")
	fmt.Fprintln(w, "Here a child process inherits the region's fd and sums half of it while we sum the other half.")
	res, err := shmDemo(1 << 22)
	if err != nil {
		return err
	}
	printShm(w, res)
	return nil
}
