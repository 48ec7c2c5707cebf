package testchild

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunExitCodeAndOutput(t *testing.T) {
	if Is(t.Name()) {
		fmt.Println("child says", os.Getenv("GREETING"))
		fmt.Fprintln(os.Stderr, "to stderr")
		os.Exit(7)
	}
	res := Run(t, t.Name(), "GREETING=hello")
	require.NoError(t, res.Err)
	assert.Equal(t, 7, res.Code, res)
	assert.Contains(t, res.Stdout, "child says hello")
	assert.Contains(t, res.Stderr, "to stderr")
}

func TestRunPassingChild(t *testing.T) {
	if Is(t.Name()) {
		return // the test passes: exit status 0
	}
	assert.False(t, Is(t.Name()), "the parent is not the child")
	res := Run(t, t.Name())
	assert.Equal(t, 0, res.Code, res)
	assert.Contains(t, res.Stdout, "PASS")
}

func TestSubtestChild(t *testing.T) {
	t.Run("a.b (x)", func(t *testing.T) {
		if Is(t.Name()) {
			os.Exit(3)
		}
		assert.Equal(t, 3, Run(t, t.Name()).Code)
	})
}

func TestKill(t *testing.T) {
	if Is(t.Name()) {
		fmt.Println("ready")
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	c := Start(t, t.Name())
	require.Positive(t, c.Pid())
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	c.Kill()
	res := c.Wait()
	assert.Less(t, time.Since(start), 10*time.Second)
	assert.Equal(t, -1, res.Code)
	assert.Equal(t, "killed", res.Signal)
	assert.Equal(t, res, c.Wait(), "Wait is repeatable")
}

func TestRunPattern(t *testing.T) {
	assert.Equal(t, `^TestA$`, runPattern("TestA"))
	assert.Equal(t, `^TestA$/^b\.c$`, runPattern("TestA/b.c"))
}
