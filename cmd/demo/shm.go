package main

import (
	"fmt"
	"io"
	"os"
)

// runChildIfRequested turns this process into a demo child when the parent
// re-executed it with the marker set.
func runChildIfRequested() {
	switch os.Getenv("SHARC_DEMO_CHILD") {
	case "":
		return
	case spawnChildMarker:
		runSpawnChild()
	}
	os.Exit(0)
}

func runShm(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("shm", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	return tourShm(stdout)
}

func tourShm(w io.Writer) error {
	fmt.Fprintln(w, "(coming with package shm)")
	return nil
}
