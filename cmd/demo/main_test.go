package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/sharc-go/sharc/workers/proc"
)

func TestMain(m *testing.M) {
	// The demos re-execute os.Executable, which is this test binary here.
	runChildIfRequested()
	proc.RunChildIfRequested()
	// The default kernels team lives for the whole process by design.
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/sharc-go/sharc/workers.(*Team).work"))
}

func TestShmJSON(t *testing.T) {
	var out, errOut bytes.Buffer
	require.NoError(t, run([]string{"shm", "-n", "100001", "-json"}, &out, &errOut), errOut.String())
	var res shmResult
	require.NoError(t, json.Unmarshal(out.Bytes(), &res))
	assert.True(t, res.SameAnswer)
	assert.Equal(t, 100001, res.Elements)
	assert.NotZero(t, res.ChildSum)
	assert.NotEqual(t, os.Getpid(), res.ChildPID)
	assert.Positive(t, res.SingleMs, "the one-process sum the child's time is compared with")
}

func TestTourAndHelp(t *testing.T) {
	var out, errOut bytes.Buffer
	require.NoError(t, run(nil, &out, &errOut), errOut.String())
	for _, s := range tourSections() {
		assert.Contains(t, out.String(), s.title)
	}
	out.Reset()
	require.NoError(t, run([]string{"help"}, &out, &errOut))
	for _, c := range commands() {
		assert.Contains(t, out.String(), c.name)
	}
	err := run([]string{"no-such-command"}, &out, &errOut)
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "no-such-command"))
}

func TestProcessesCrash(t *testing.T) {
	var out, errOut bytes.Buffer
	require.NoError(t, run([]string{"processes", "-n", "200003", "-crash", "-json"}, &out, &errOut), errOut.String())
	var res processesResult
	require.NoError(t, json.Unmarshal(out.Bytes(), &res))
	assert.True(t, res.SameAnswer, "a killed child must not change the answer")
	assert.Equal(t, 1, res.Crashes)
	assert.Contains(t, res.CrashNote, "SIGKILL")
	assert.NotZero(t, res.ProcessesSum)
}
