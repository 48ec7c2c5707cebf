//go:build !linux

package testchild

import "os/exec"

func setDeathSignal(cmd *exec.Cmd) {}
