package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// machine describes the machine and the tool versions in one line.
func machine() string {
	cpu := "unknown CPU"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	kernel := "unknown kernel"
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		kernel = "Linux " + strings.TrimSpace(string(b))
	}
	parts := []string{
		fmt.Sprintf("%s, %d cores", cpu, runtime.NumCPU()),
		kernel,
		runtime.Version(),
		version("gcc", "gcc", "-dumpfullversion"),
		version("node", "node", "--version"),
	}
	return strings.Join(parts, "; ")
}

func version(name string, argv ...string) string {
	out, err := exec.Command(argv[0], argv[1:]...).Output()
	if err != nil {
		return name + " not installed"
	}
	return name + " " + strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
}
