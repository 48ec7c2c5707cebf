//go:build !linux

package placement

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestNoPlacement(t *testing.T) {
	assert.Equal(t, -1, CPU())
	assert.False(t, Leave(0))
	assert.False(t, Leave(-1))
}
