package proc_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/sharc-go/sharc/shm"
	"github.com/sharc-go/sharc/workers/proc"
)

// Tasks are registered in init, so that the parent and every child (the same
// binary, re-executed) know them by the same names.
func init() {
	proc.Register("upper", func(ctx context.Context, arg []byte, regions []*shm.Region) ([]byte, error) {
		return []byte(strings.ToUpper(string(arg))), nil
	})
}

// A program registers its tasks, calls proc.RunChildIfRequested first thing
// in main (a test binary calls it in TestMain), and then calls tasks by name.
func ExampleRegister() {
	// In main: proc.RunChildIfRequested() // a child serves tasks here and never returns

	p, err := proc.NewPool(proc.Options{Workers: 2})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close(context.Background())

	out, err := p.Call(context.Background(), "upper", []byte("hello from a child"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(out))
	// Output: HELLO FROM A CHILD
}
