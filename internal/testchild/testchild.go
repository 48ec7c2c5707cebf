package testchild

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// envMarker names the environment variable that tells a re-executed test
// binary which test it runs as a child.
const envMarker = "SHARC_TESTCHILD"

// Timeout bounds a child's life when the test has no earlier deadline.
const Timeout = 2 * time.Minute

// Is reports whether this process is a child started by Run or Start for the
// test called name (t.Name(), subtests included).
func Is(name string) bool { return os.Getenv(envMarker) == name }

// Result is what a finished child left behind.
type Result struct {
	// Code is the exit status, or -1 if a signal ended the child.
	Code int
	// Signal is the signal that ended the child, if any ("killed", ...).
	Signal string
	// Stdout and Stderr hold everything the child wrote.
	Stdout, Stderr string
	// Err is a failure to run or wait for the child other than a non-zero
	// exit (for example, the timeout).
	Err error
}

// String formats the result for assertion messages.
func (r Result) String() string {
	return fmt.Sprintf("exit %d (signal %q, err %v)\nstdout:\n%s\nstderr:\n%s", r.Code, r.Signal, r.Err, r.Stdout, r.Stderr)
}

// A Child is a re-executed test binary running one test.
type Child struct {
	// Cmd is the command; set fields such as ExtraFiles or Stdin before
	// Start. Its Stdout and Stderr are captured into the Result.
	Cmd *exec.Cmd

	t              testing.TB
	stdout, stderr bytes.Buffer
	cancel         context.CancelFunc
	once           sync.Once
	res            Result
}

// Command prepares, without starting, a child that runs only the test called
// name with env (KEY=value entries) added to this process's environment.
func Command(t testing.TB, name string, env ...string) *Child {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatalf("testchild: %v", err)
	}
	deadline := time.Now().Add(Timeout)
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if td, ok := d.Deadline(); ok && td.Before(deadline) {
			deadline = td
		}
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	cmd := exec.CommandContext(ctx, exe, "-test.run="+runPattern(name), "-test.count=1",
		"-test.timeout="+time.Until(deadline).Round(time.Second).String())
	cmd.Env = append(append(os.Environ(), envMarker+"="+name), env...)
	c := &Child{Cmd: cmd, t: t, cancel: cancel}
	cmd.Stdout = &c.stdout
	cmd.Stderr = &c.stderr
	cmd.WaitDelay = time.Second
	setDeathSignal(cmd)
	return c
}

// Start starts a child that runs only the test called name; see Command.
func Start(t testing.TB, name string, env ...string) *Child {
	t.Helper()
	return Command(t, name, env...).Start()
}

// Run runs a child for the test called name to its end; see Command.
func Run(t testing.TB, name string, env ...string) Result {
	t.Helper()
	return Start(t, name, env...).Wait()
}

// Start starts the prepared child and returns it. It fails the test if the
// child cannot start. The child is killed and reaped when the test ends.
func (c *Child) Start() *Child {
	c.t.Helper()
	if err := c.Cmd.Start(); err != nil {
		c.cancel()
		c.t.Fatalf("testchild: start: %v", err)
	}
	c.t.Cleanup(func() {
		c.Kill()
		c.Wait()
	})
	return c
}

// Pid returns the child's process id.
func (c *Child) Pid() int { return c.Cmd.Process.Pid }

// Kill sends SIGKILL to the child (on Windows, terminates it). It is safe to
// call after the child has ended.
func (c *Child) Kill() { _ = c.Cmd.Process.Kill() }

// Wait waits for the child to end and returns its result; later calls
// return the same result.
func (c *Child) Wait() Result {
	c.once.Do(func() {
		err := c.Cmd.Wait()
		c.cancel()
		c.res = Result{Code: c.Cmd.ProcessState.ExitCode(), Stdout: c.stdout.String(), Stderr: c.stderr.String()}
		c.res.Signal = signalOf(c.Cmd.ProcessState)
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			c.res.Err = err
		}
	})
	return c.res
}

// runPattern anchors each level of a (sub)test name for -test.run.
func runPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}
