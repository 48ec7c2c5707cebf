package shm_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/sharc-go/sharc/shm"
)

// A named segment opened twice by name, as two processes (or a Go process
// and Python's multiprocessing.shared_memory.SharedMemory(name)) would: both
// mappings see the same bytes. Once unlinked, the name is gone but the
// mappings stay valid until closed.
func ExampleOpen() {
	name := fmt.Sprintf("sharc-example-open-%d", os.Getpid())
	owner, err := shm.Create(name, 4096)
	if err != nil {
		panic(err)
	}
	defer owner.Close()

	a, err := shm.Open(name)
	if err != nil {
		panic(err)
	}
	defer a.Close()
	b, err := shm.Open(name)
	if err != nil {
		panic(err)
	}
	defer b.Close()

	xs, _ := shm.View[int32](a, 0, 2)
	ys, _ := shm.View[int32](b, 0, 2)
	xs[0], xs[1] = 7, 8
	fmt.Println(b.Name() == name, b.Len(), ys)

	if err := shm.Unlink(name); err != nil {
		panic(err)
	}
	_, err = shm.Open(name)
	fmt.Println("after Unlink:", errors.Is(err, fs.ErrNotExist), ys[1])
	// Output:
	// true 4096 [7 8]
	// after Unlink: true 8
}

// An anonymous region handed to another process as a file descriptor: the
// parent passes r.File() in exec.Cmd.ExtraFiles, and the child maps it with
// OpenFile(os.NewFile(3, "region")). Here the second mapping is made in the
// same process.
func ExampleOpenFile() {
	r, err := shm.New(4096)
	if err != nil {
		panic(err)
	}
	defer r.Close()
	f, err := r.File() // a duplicate descriptor, for cmd.ExtraFiles
	if err != nil {
		panic(err)
	}
	peer, err := shm.OpenFile(f) // the child's side; peer owns f now
	if err != nil {
		panic(err)
	}
	defer peer.Close()

	r.Bytes()[100] = 1
	fmt.Println(peer.Len(), peer.Bytes()[100], peer.Name() == "")
	// Output: 4096 1 true
}

// Options maps a region differently: here a consumer maps a named segment
// read-only, so it cannot scribble over the producer's data, and nothing
// that writes (a waitable word, a barrier) can be made in it.
func ExampleOptions() {
	name := fmt.Sprintf("sharc-example-options-%d", os.Getpid())
	w, err := shm.Options{Populate: true}.Create(name, 1<<16)
	if err != nil {
		panic(err)
	}
	defer shm.Unlink(name)
	defer w.Close()
	copy(w.Bytes(), "results")

	ro, err := shm.Options{ReadOnly: true}.Open(name)
	if err != nil {
		panic(err)
	}
	defer ro.Close()
	_, err = ro.Int32(0)
	fmt.Println(string(ro.Bytes()[:7]), ro.ReadOnly(), errors.Is(err, shm.ErrReadOnly))
	// Output: results true true
}

// A Buffer over region memory: the same handle type as NewBuffer's, so code
// that takes a *Buffer works on heap and shared memory alike.
func ExampleBufferOf() {
	r, _ := shm.New(4096)
	defer r.Close()
	buf, err := shm.BufferOf[float32](r, 64, 4)
	if err != nil {
		panic(err)
	}
	copy(buf.Data(), []float32{1, 2, 3, 4})
	v, _ := shm.View[float32](r, 64, 4)
	fmt.Println(buf.Len(), v)

	moved := buf.Transfer() // ownership moves; the region is still r's
	fmt.Println(buf.Detached(), moved.Data()[3])
	// Output:
	// 4 [1 2 3 4]
	// true 4
}

// 64-bit words count across processes; they cannot be waited on, so a
// writer that must wake readers bumps an Int32 or Uint32 after them.
func ExampleRegion_Uint64() {
	r, _ := shm.New(4096)
	defer r.Close()
	total, _ := r.Uint64(0)
	total.Add(40)
	total.Add(2)
	old := total.Swap(0)
	fmt.Println(old, total.Load(), total.CompareAndSwap(0, 1), total.Load())
	// Output: 42 0 true 1
}
