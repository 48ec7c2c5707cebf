//go:build !linux

package main

import "syscall"

// childAttr: without Pdeathsig, children rely on their parent's cleanup.
func childAttr() *syscall.SysProcAttr { return nil }
