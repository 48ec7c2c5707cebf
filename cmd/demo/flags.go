package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// Version is the demo's version, printed by 'demo -version'.
const Version = "v0.2.0"

// usageError is a bad command line. main prints it once (unless the flag
// package already has) and exits 2, as flag.ExitOnError would.
type usageError struct {
	msg     string
	printed bool // the message and the usage are on stderr already
}

func (e *usageError) Error() string { return e.msg }

// badFlag returns a usageError for a flag value, e.g.
// badFlag("-n must be ≥ 1, got %d", n).
func badFlag(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// parseFlags parses args into fs and refuses arguments left over, so that
// 'demo tour extra' is an error rather than ignored.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		// The flag package printed the error and the usage already.
		return &usageError{msg: err.Error(), printed: true}
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		fs.Usage()
		return &usageError{msg: fmt.Sprintf("unexpected argument %q", fs.Arg(0)), printed: true}
	}
	return nil
}

// atLeast returns a usageError unless v >= lo, naming the flag.
func atLeast(name string, v, lo int) error {
	if v < lo {
		return badFlag("-%s must be ≥ %d, got %d", name, lo, v)
	}
	return nil
}

// inRange returns a usageError unless lo <= v <= hi, naming the flag.
func inRange(name string, v, lo, hi int) error {
	if v < lo || v > hi {
		return badFlag("-%s must be in %d..%d, got %d", name, lo, hi, v)
	}
	return nil
}

// exitCode prints err as main reports it and returns the exit status: 0
// for -h, 2 for a bad command line, 1 for a failure.
func exitCode(err error, stderr io.Writer) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		if !ue.printed {
			fmt.Fprintln(stderr, "demo:", ue.msg)
		}
		return 2
	default:
		fmt.Fprintln(stderr, "demo:", err)
		return 1
	}
}

// flagSet reports whether the command line set the flag name.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
