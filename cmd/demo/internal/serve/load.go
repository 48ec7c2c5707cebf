package serve

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// LoadConfig configures a closed-loop load run.
type LoadConfig struct {
	URL         string
	Body        []byte        // POSTed as JSON when set; otherwise GET
	Concurrency int           // clients, each with one request in flight; 0 only probes HealthURL
	Duration    time.Duration // how long to drive the load
	// HonorRetryAfter makes a client that gets a 503 with Retry-After wait
	// that long before its next request, as a polite client would; by
	// default clients retry at once, as a flood would.
	HonorRetryAfter bool
	// HealthURL, when set, is probed every HealthEvery while the load
	// runs, to measure how responsive the server stays. A probe still
	// unanswered when the run ends counts with the time it had waited.
	HealthURL   string
	HealthEvery time.Duration // default 10 ms
	// Check, when set, judges each 200 answer; a non-nil error counts it
	// as wrong.
	Check func(body []byte) error
}

// Latency summarizes a set of request latencies, in milliseconds.
type Latency struct {
	Count int     `json:"count"`
	P50   float64 `json:"p50_ms"`
	P90   float64 `json:"p90_ms"`
	P99   float64 `json:"p99_ms"`
	Max   float64 `json:"max_ms"`
}

// LoadReport is the outcome of a load run.
type LoadReport struct {
	URL         string         `json:"url"`
	Concurrency int            `json:"concurrency"`
	Seconds     float64        `json:"seconds"`
	Requests    int            `json:"requests"`
	PerSecond   float64        `json:"per_second"`    // all answers
	OKPerSecond float64        `json:"ok_per_second"` // 200s only
	Latency     Latency        `json:"latency"`       // all answers
	Status      map[string]int `json:"status"`        // by code; "error" for transport failures
	Wrong       int            `json:"wrong"`         // 200s that Check rejected
	Health      *Latency       `json:"health,omitempty"`
	HealthFail  int            `json:"health_failures,omitempty"`
	// FirstFailure describes the first request that failed: a transport
	// error or a status other than 2xx with the start of its body.
	FirstFailure string `json:"first_failure,omitempty"`
	// FirstHealthFailure is the same for the health probe.
	FirstHealthFailure string `json:"first_health_failure,omitempty"`
}

// Failure returns an error saying why if no request succeeded (no 2xx
// answer; with no load, no health probe answered 200), and nil otherwise.
func (r LoadReport) Failure() error {
	if r.Concurrency == 0 {
		if r.Health != nil && r.Health.Count == 0 {
			return fmt.Errorf("load: every health probe failed (%d); first: %s", r.HealthFail, orNone(r.FirstHealthFailure))
		}
		return nil
	}
	ok := 0
	for code, n := range r.Status {
		if len(code) == 3 && code[0] == '2' {
			ok += n
		}
	}
	switch {
	case r.Requests == 0:
		return fmt.Errorf("load: no request to %s completed in %.1f s", r.URL, r.Seconds)
	case ok == 0:
		return fmt.Errorf("load: every request to %s failed (%d); first: %s", r.URL, r.Requests, orNone(r.FirstFailure))
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "no detail"
	}
	return s
}

// Load drives cfg.URL with cfg.Concurrency closed-loop clients for
// cfg.Duration (or until ctx ends) and reports what it saw.
func Load(ctx context.Context, cfg LoadConfig) (LoadReport, error) {
	if cfg.Concurrency < 0 || cfg.Concurrency == 0 && cfg.HealthURL == "" {
		return LoadReport{}, fmt.Errorf("serve.Load: concurrency = %d, want >= 1 (or 0 with a health URL)", cfg.Concurrency)
	}
	if cfg.Duration <= 0 {
		return LoadReport{}, fmt.Errorf("serve.Load: duration = %v, want > 0", cfg.Duration)
	}
	if cfg.HealthEvery <= 0 {
		cfg.HealthEvery = 10 * time.Millisecond
	}
	tr := &http.Transport{MaxIdleConns: cfg.Concurrency + 4, MaxIdleConnsPerHost: cfg.Concurrency + 4}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	ctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()

	type result struct {
		lat      []time.Duration
		status   map[string]int
		wrong    int
		firstErr string
	}
	results := make([]result, cfg.Concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := result{status: map[string]int{}}
			for ctx.Err() == nil {
				t0 := time.Now()
				code, retry, body, err := do(ctx, client, cfg.URL, cfg.Body)
				if ctx.Err() != nil {
					break // cut off by the end of the run: not a result
				}
				res.lat = append(res.lat, time.Since(t0))
				if err != nil {
					res.status["error"]++
					if res.firstErr == "" {
						res.firstErr = err.Error()
					}
					continue
				}
				res.status[strconv.Itoa(code)]++
				if (code < 200 || code > 299) && res.firstErr == "" {
					res.firstErr = fmt.Sprintf("status %d: %.200s", code, bytes.TrimSpace(body))
				}
				if code == http.StatusOK && cfg.Check != nil && cfg.Check(body) != nil {
					res.wrong++
				}
				if cfg.HonorRetryAfter && code == http.StatusServiceUnavailable && retry > 0 {
					sleep(ctx, retry)
				}
			}
			results[c] = res
		}()
	}
	var health []time.Duration
	healthFail := 0
	firstHealthErr := ""
	if cfg.HealthURL != "" {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(cfg.HealthEvery)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
				t0 := time.Now()
				code, _, _, err := do(ctx, client, cfg.HealthURL, nil)
				if ctx.Err() != nil {
					// Still unanswered when the run ends: it counts
					// with the time it had waited, a lower bound, so a
					// server too busy to answer any probe does not
					// report none.
					health = append(health, time.Since(t0))
					return
				}
				if err != nil || code != http.StatusOK {
					healthFail++
					if firstHealthErr == "" {
						if err != nil {
							firstHealthErr = err.Error()
						} else {
							firstHealthErr = fmt.Sprintf("status %d", code)
						}
					}
					continue
				}
				health = append(health, time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	rep := LoadReport{URL: cfg.URL, Concurrency: cfg.Concurrency, Seconds: round3(elapsed.Seconds()), Status: map[string]int{}}
	var all []time.Duration
	for _, r := range results {
		all = append(all, r.lat...)
		for k, v := range r.status {
			rep.Status[k] += v
		}
		rep.Wrong += r.wrong
		if rep.FirstFailure == "" {
			rep.FirstFailure = r.firstErr
		}
	}
	rep.Requests = len(all)
	rep.PerSecond = round3(float64(len(all)) / elapsed.Seconds())
	rep.OKPerSecond = round3(float64(rep.Status["200"]) / elapsed.Seconds())
	rep.Latency = summarize(all)
	if cfg.HealthURL != "" {
		h := summarize(health)
		rep.Health = &h
		rep.HealthFail = healthFail
		rep.FirstHealthFailure = firstHealthErr
	}
	return rep, nil
}

// do sends one request and returns the status, the Retry-After delay (0
// if absent or not a number of seconds) and the body.
func do(ctx context.Context, client *http.Client, url string, body []byte) (int, time.Duration, []byte, error) {
	method, rd := http.MethodGet, io.Reader(nil)
	if body != nil {
		method, rd = http.MethodPost, bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, nil, err
	}
	defer resp.Body.Close()
	var retry time.Duration
	if n, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && n > 0 {
		retry = time.Duration(n) * time.Second
	}
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, retry, b, err
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

func summarize(lat []time.Duration) Latency {
	if len(lat) == 0 {
		return Latency{}
	}
	slices.Sort(lat)
	return Latency{
		Count: len(lat),
		P50:   ms(pct(lat, 50)), P90: ms(pct(lat, 90)), P99: ms(pct(lat, 99)),
		Max: ms(lat[len(lat)-1]),
	}
}

// WriteText prints r as a short labelled table.
func (r LoadReport) WriteText(w io.Writer) {
	if r.Concurrency == 0 {
		fmt.Fprintf(w, "probe: %.1f s, no load\n", r.Seconds)
		r.writeHealth(w)
		return
	}
	fmt.Fprintf(w, "load: %d clients on %s for %.1f s\n", r.Concurrency, r.URL, r.Seconds)
	fmt.Fprintf(w, "  requests     %d  (%.0f/s, of which 200: %.0f/s)\n", r.Requests, r.PerSecond, r.OKPerSecond)
	fmt.Fprintf(w, "  latency ms   p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n", r.Latency.P50, r.Latency.P90, r.Latency.P99, r.Latency.Max)
	keys := make([]string, 0, len(r.Status))
	for k := range r.Status {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	fmt.Fprint(w, "  status      ")
	for _, k := range keys {
		fmt.Fprintf(w, " %s: %d", k, r.Status[k])
	}
	fmt.Fprintln(w)
	if r.Wrong > 0 {
		fmt.Fprintf(w, "  WRONG answers: %d\n", r.Wrong)
	}
	r.writeHealth(w)
}

func (r LoadReport) writeHealth(w io.Writer) {
	if r.Health != nil {
		fmt.Fprintf(w, "  health ms    p50 %.2f  p99 %.2f  max %.2f  (%d probes, %d failed)\n",
			r.Health.P50, r.Health.P99, r.Health.Max, r.Health.Count, r.HealthFail)
	}
}

// CheckSolution returns a LoadConfig.Check that accepts a /solve answer
// only if it is want.
func CheckSolution(want string) func([]byte) error {
	return func(body []byte) error {
		if !bytes.Contains(body, []byte(`"solution":"`+want+`"`)) {
			return fmt.Errorf("wrong solution: %s", body)
		}
		return nil
	}
}
