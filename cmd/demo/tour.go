package main

import (
	"fmt"
	"io"
	"time"
)

// tourSection is one part of the tour. Each capability adds one.
type tourSection struct {
	title string
	run   func(w io.Writer) error
}

func tourSections() []tourSection {
	return []tourSection{
		{"shared memory: one region, two processes", tourShm},
		{"process workers: crash isolation, zero-copy regions", tourProcesses},
		{"process workers: calls through shared-memory queues", tourIPC},
		{"transfer vs share: handing a payload to another goroutine", tourTransfer},
		{"task pool: the cost of spawning vs pooling", tourSpawnCost},
		{"servers: sudoku on a worker pool under overload", tourServers},
		{"parallel kernels on plain slices", tourKernels},
	}
}

func runTour(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("tour", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	start := time.Now()
	fmt.Fprintln(stdout, "sharc: shared-memory parallel compute for Go.")
	fmt.Fprintln(stdout, "Every section below runs real code; figures are measured now, on this machine.")
	for _, s := range tourSections() {
		section(stdout, s.title)
		if err := s.run(stdout); err != nil {
			return fmt.Errorf("tour: %s: %w", s.title, err)
		}
	}
	fmt.Fprintf(stdout, "\ntour finished in %.1f s. Run 'go run ./cmd/demo help' for the subcommands.\n", time.Since(start).Seconds())
	return nil
}
