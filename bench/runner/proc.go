package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// command returns a side that runs argv once per round and reads "key
// value" lines from its standard output, value in nanoseconds per
// operation; conv, if not nil, turns a printed value into nanoseconds.
func command(name string, env []string, conv func(key string, v float64) float64, argv ...string) side {
	return side{name: name, run: func() (map[string]float64, error) {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = append(os.Environ(), env...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err, strings.TrimSpace(errb.String()))
		}
		return parseTimes(out.Bytes(), conv)
	}}
}

// parseTimes reads "key value" lines; other lines are ignored.
func parseTimes(b []byte, conv func(string, float64) float64) (map[string]float64, error) {
	m := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 {
			continue
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			continue
		}
		if conv != nil {
			v = conv(f[0], v)
		}
		m[f[0]] = v
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("no \"key value\" lines in output %q", b)
	}
	return m, nil
}

// have reports whether program p is on PATH.
func have(p string) bool {
	_, err := exec.LookPath(p)
	return err == nil
}

// build runs a build command in dir and returns its combined output on
// failure.
func build(dir string, argv ...string) error {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w\n%s", strings.Join(argv, " "), err, out)
	}
	return nil
}
