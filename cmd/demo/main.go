package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/sharc-go/sharc/workers/proc"
)

// command is one subcommand of demo.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

// commands lists the subcommands. Each capability adds one line here and a
// section to the tour (tour.go).
func commands() []command {
	cmds := []command{
		{"tour", "a one-minute walk through sharc (the default)", runTour},
		{"processes", "sum a region in child processes vs goroutines; -crash kills one", runProcesses},
		{"ipc", "round trip of a call: shm queues vs Unix socket vs in-process pool", runIPC},
		{"spawn-cost", "per-task cost: goroutine, OS thread, process per task vs workers.Pool", runSpawnCost},
		{"kernels", "parallel SIMD kernels (Sum, Dot, Axpy, Sort, MatMul, ...) vs plain Go loops", runKernels},
		{"shm", "map a shared region and synchronize two processes through it", runShm},
		{"transfer-vs-share", "copy vs transfer vs share a payload between goroutines", runTransferVsShare},
		{"sudoku-server", "an HTTP sudoku solver whose solving runs on a bounded worker pool", runSudokuServer},
		{"auth-server", "an HTTP login service hashing passwords with Argon2id on a bounded worker pool", runAuthServer},
		{"load", "a closed-loop HTTP load generator with a health-latency probe", runLoad},
	}
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	return cmds
}

func main() {
	// A re-executed copy of this binary serves as a child process for the
	// demos that need one; it never returns from here.
	runChildIfRequested()
	proc.RunChildIfRequested()

	os.Exit(exitCode(run(os.Args[1:], os.Stdout, os.Stderr), os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return runTour(nil, stdout, stderr)
	}
	name := args[0]
	switch name {
	case "help", "-h", "--help", "-help":
		usage(stdout)
		return nil
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, "sharc demo", Version)
		return nil
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(args[1:], stdout, stderr)
		}
	}
	msg := fmt.Sprintf("unknown subcommand %q", name)
	if len(name) > 1 && name[0] == '-' {
		msg = fmt.Sprintf("flag %s comes after a subcommand: demo <subcommand> %s", name, name)
	}
	fmt.Fprintln(stderr, "demo:", msg)
	usage(stderr)
	return &usageError{msg: msg, printed: true}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: demo [subcommand] [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "With no subcommand, demo runs the tour. Subcommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-18s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'demo <subcommand> -h' for its flags; most take -json for one JSON object per line.")
	fmt.Fprintln(w, "'demo -version' prints the version.")
}

// newFlagSet returns a flag set that reports errors instead of exiting, so
// subcommands can be run from tests.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("demo "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// section prints a tour heading.
func section(w io.Writer, title string) {
	fmt.Fprintf(w, "\n== %s %s\n", title, strings.Repeat("=", max(0, 66-len(title))))
}
