//go:build !linux

package main

func runChildIfRequested() {}

// ipcTables needs Linux (process workers and SOCK_SEQPACKET).
func ipcTables(e *env) ([]table, error) {
	e.note("process round trips skipped: Linux only")
	return nil, nil
}
