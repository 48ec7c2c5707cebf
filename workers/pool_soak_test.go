package workers

import (
	"os"
	"testing"
	"time"
)

// TestSoakLong is the long soak, off unless SHARC_SOAK holds a duration.
func TestSoakLong(t *testing.T) {
	v := os.Getenv("SHARC_SOAK")
	if v == "" {
		t.Skip("set SHARC_SOAK=60s to run")
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		t.Fatal(err)
	}
	soak(t, d)
}
