package sudoku_test

import (
	"context"
	"fmt"

	"github.com/sharc-go/sharc/cmd/demo/internal/sudoku"
)

func ExampleSolveString() {
	r, err := sudoku.SolveString(context.Background(),
		"53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Solution, r.Unique)
	// Output: 534678912672195348198342567859761423426853791713924856961537284287419635345286179 true
}
