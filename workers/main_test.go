package workers

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// The default team lives for the whole process by design.
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/sharc-go/sharc/workers.(*Team).work"))
}
