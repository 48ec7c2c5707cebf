package shm_test

import (
	"errors"
	"fmt"
	"os"

	"github.com/sharc-go/sharc/shm"
)

// Guard around the code that touches a named segment: while the segment is
// whole, fn runs as usual and Guard returns nil; an ordinary panic of fn is
// not turned into an error.
func ExampleGuard() {
	name := fmt.Sprintf("sharc-example-guard-%d", os.Getpid())
	r, err := shm.Create(name, 4096)
	if err != nil {
		panic(err)
	}
	defer shm.Unlink(name)
	defer r.Close()

	xs, _ := shm.View[float64](r, 0, 512)
	var sum float64
	err = shm.Guard(func() {
		for i := range xs {
			xs[i] = 1
			sum += xs[i]
		}
	})
	fmt.Println(sum, err)
	// Output: 512 <nil>
}

// What Guard is for: a peer truncates the segment under our mapping, and
// the next access past the new end faults. Without Guard that fault is a
// SIGBUS that kills the process; with it, the access ends with an error
// matching ErrTruncated. (This example is compiled but not run, because a
// regression would kill the test binary; the package's tests run the same
// steps in a child process.)
func ExampleGuard_truncated() {
	name := fmt.Sprintf("sharc-example-truncated-%d", os.Getpid())
	r, err := shm.Create(name, 8*4096)
	if err != nil {
		panic(err)
	}
	defer shm.Unlink(name)
	defer r.Close()
	b := r.Bytes()

	// What a hostile or buggy peer does (Linux keeps segments in /dev/shm):
	if err := os.Truncate("/dev/shm/"+name, 0); err != nil {
		panic(err)
	}

	err = shm.Guard(func() { b[len(b)-1] = 1 })
	fmt.Println(errors.Is(err, shm.ErrTruncated))
}
