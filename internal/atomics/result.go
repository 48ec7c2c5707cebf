package atomics

import "math"

// Result is the outcome of a wait, named as JavaScript's Atomics.wait names
// them.
type Result int

const (
	Woken    Result = iota // "ok": woken by a notify
	NotEqual               // "not-equal": the word did not hold the expected value
	TimedOut               // "timed-out": the timeout passed first
)

// String returns the outcome's name in Atomics.wait's terms.
func (r Result) String() string {
	switch r {
	case Woken:
		return "ok"
	case NotEqual:
		return "not-equal"
	case TimedOut:
		return "timed-out"
	}
	return "Result(?)"
}

const maxWake = math.MaxInt32
