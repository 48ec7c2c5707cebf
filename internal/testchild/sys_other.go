//go:build !unix

package testchild

import "os"

func signalOf(ps *os.ProcessState) string { return "" }
