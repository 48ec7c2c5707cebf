// Package testchild runs one test of the current test binary in a child
// process, for tests of things that can kill or wedge a process (SIGBUS,
// SIGKILLed peers, fork bombs, Goexit): a regression then fails the test
// instead of killing the test binary.
//
// The test re-executes itself; the child side is chosen with Is:
//
//	func TestTruncatedSegment(t *testing.T) {
//		if testchild.Is(t.Name()) {
//			// child: do the dangerous thing, exit 0 on success
//			return
//		}
//		res := testchild.Run(t, t.Name(), "SEGMENT="+name)
//		require.Equal(t, 0, res.Code, res)
//	}
//
// A child is killed when the test ends, pass or fail, and when the test
// binary dies (Linux), so no child outlives its test.
package testchild
