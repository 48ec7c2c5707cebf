package main

import "syscall"

// childAttr makes a demo child die with its parent, so a killed demo leaves
// no orphans behind.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
