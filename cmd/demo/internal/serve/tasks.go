package serve

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/sharc-go/sharc/cmd/demo/internal/sudoku"
	"github.com/sharc-go/sharc/shm"
	"github.com/sharc-go/sharc/workers/proc"
)

// The servers' CPU-heavy work as plain functions of bytes, so that the same
// code runs on a goroutine of the pool or in a process worker. A process
// worker is the running binary started again, so these are registered in
// every process that imports the package, from init; the binary's main
// must call proc.RunChildIfRequested first thing.
const (
	taskSolve  = "sharc-demo/sudoku.solve"
	taskChunk  = "sharc-demo/sudoku.chunk"
	taskAll    = "sharc-demo/sudoku.all"
	taskHash   = "sharc-demo/auth.hash"
	taskVerify = "sharc-demo/auth.verify"
)

func init() {
	proc.Register(taskSolve, remoteSolve)
	proc.Register(taskChunk, remoteChunk)
	proc.RegisterStream(taskAll, remoteAll)
	proc.Register(taskHash, remoteHash)
	proc.Register(taskVerify, remoteVerify)
}

// Puzzle outcomes as they travel from a process worker: the puzzle's own
// failures are answers, not task errors, so the parent tells them apart
// from a crash with errors.Is.
const (
	outSolved byte = iota
	outUnsolvable
	outTooHard
	outBatchSpent // the batch's budget ran out before this puzzle
)

func outcomeOf(err error) (byte, error) {
	switch {
	case err == nil:
		return outSolved, nil
	case errors.Is(err, sudoku.ErrUnsolvable):
		return outUnsolvable, nil
	case errors.Is(err, sudoku.ErrTooHard):
		return outTooHard, nil
	}
	return 0, err
}

func errOf(out byte) error {
	switch out {
	case outSolved:
		return nil
	case outUnsolvable:
		return sudoku.ErrUnsolvable
	case outTooHard:
		return sudoku.ErrTooHard
	}
	return fmt.Errorf("serve: unknown puzzle outcome %d from a worker", out)
}

// solveTask solves g within budget nodes: POST /solve's work.
func solveTask(ctx context.Context, g sudoku.Grid, budget int) (SolveResponse, error) {
	start := time.Now()
	res, err := sudoku.SolveBudget(ctx, g, budget)
	return SolveResponse{Solution: res.Solution.String(), Unique: res.Unique, Ms: ms(time.Since(start))}, err
}

// remoteSolve is solveTask in a process worker. Argument: the grid (81
// bytes), the budget (uint64). Result: outcome, unique, the time taken in
// ns (uint64), the solution (81 bytes).
func remoteSolve(ctx context.Context, arg []byte, _ []*shm.Region) ([]byte, error) {
	if len(arg) != 81+8 {
		return nil, fmt.Errorf("serve: solve argument of %d bytes, want 89", len(arg))
	}
	g := sudoku.Grid(arg[:81])
	crashIfAsked(g.String())
	start := time.Now()
	res, err := sudoku.SolveBudget(ctx, g, int(binary.LittleEndian.Uint64(arg[81:])))
	out, err := outcomeOf(err)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, 2+8+81)
	b = append(b, out, boolByte(res.Unique))
	b = binary.LittleEndian.AppendUint64(b, uint64(time.Since(start)))
	return append(b, res.Solution[:]...), nil
}

func encodeSolve(g sudoku.Grid, budget int) []byte {
	return binary.LittleEndian.AppendUint64(append([]byte(nil), g[:]...), uint64(budget))
}

func decodeSolve(b []byte) (SolveResponse, error) {
	if len(b) != 2+8+81 {
		return SolveResponse{}, fmt.Errorf("serve: solve result of %d bytes, want 91", len(b))
	}
	if err := errOf(b[0]); err != nil {
		return SolveResponse{}, err
	}
	return SolveResponse{
		Solution: sudoku.Grid(b[10:]).String(),
		Unique:   b[1] == 1,
		Ms:       ms(time.Duration(binary.LittleEndian.Uint64(b[2:]))),
	}, nil
}

// chunkResult is what one chunk of a batch did: an answer for each of the
// first len(items) puzzles it was given, the search nodes they used and the
// time it ran.
type chunkResult struct {
	items []BatchItem
	used  int
	busy  time.Duration
}

// solveChunk solves grids from the first for about batchSlice of work, at
// least one: the work of one task of a batch. budget is what is left of the
// batch's budget; each puzzle may spend at most solveBudget of it.
func solveChunk(ctx context.Context, grids []sudoku.Grid, budget, solveBudget int) (chunkResult, error) {
	start := time.Now()
	var r chunkResult
	for i := 0; i < len(grids) && (i == 0 || time.Since(start) < batchSlice); i++ {
		if budget == 0 {
			r.items = append(r.items, BatchItem{Error: batchSpent})
			continue
		}
		res, err := sudoku.SolveBudget(ctx, grids[i], min(budget, solveBudget))
		budget -= res.Nodes
		r.used += res.Nodes
		switch {
		case errors.Is(err, sudoku.ErrUnsolvable):
			r.items = append(r.items, BatchItem{Error: "no solution"})
		case errors.Is(err, sudoku.ErrTooHard):
			r.items = append(r.items, BatchItem{Error: tooHard})
		case err != nil:
			return r, err
		default:
			r.items = append(r.items, BatchItem{Solution: res.Solution.String(), Unique: res.Unique})
		}
	}
	r.busy = time.Since(start)
	return r, nil
}

// batchSpent is the error of a batch's puzzle left when its budget is spent.
const batchSpent = "too hard: batch budget exhausted"

// maxChunkSend bounds the puzzles sent with one chunk to a process worker
// (81 bytes each): a chunk rarely gets through more within batchSlice.
const maxChunkSend = 256

// remoteChunk is solveChunk in a process worker. Argument: the budget and
// solveBudget (uint64 each), then the grids (81 bytes each). Result: the
// nodes used and the time taken in ns (uint64 each), then per puzzle
// answered its outcome, unique and solution (83 bytes).
func remoteChunk(ctx context.Context, arg []byte, _ []*shm.Region) ([]byte, error) {
	if len(arg) < 16+81 || (len(arg)-16)%81 != 0 {
		return nil, fmt.Errorf("serve: chunk argument of %d bytes", len(arg))
	}
	budget := int(binary.LittleEndian.Uint64(arg))
	solveBudget := int(binary.LittleEndian.Uint64(arg[8:]))
	grids := make([]sudoku.Grid, (len(arg)-16)/81)
	for i := range grids {
		grids[i] = sudoku.Grid(arg[16+81*i:])
	}
	r, err := solveChunk(ctx, grids, budget, solveBudget)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, 16+83*len(r.items))
	b = binary.LittleEndian.AppendUint64(b, uint64(r.used))
	b = binary.LittleEndian.AppendUint64(b, uint64(r.busy))
	for i, it := range r.items {
		var out byte
		switch it.Error {
		case "":
		case "no solution":
			out = outUnsolvable
		case tooHard:
			out = outTooHard
		default:
			out = outBatchSpent
		}
		b = append(b, out, boolByte(it.Unique))
		if out == outSolved {
			sol, _ := sudoku.Parse(it.Solution)
			b = append(b, sol[:]...)
		} else {
			b = append(b, grids[i][:]...) // unread filler
		}
	}
	return b, nil
}

func encodeChunk(grids []sudoku.Grid, budget, solveBudget int) []byte {
	b := make([]byte, 0, 16+81*len(grids))
	b = binary.LittleEndian.AppendUint64(b, uint64(budget))
	b = binary.LittleEndian.AppendUint64(b, uint64(solveBudget))
	for _, g := range grids {
		b = append(b, g[:]...)
	}
	return b
}

func decodeChunk(b []byte) (chunkResult, error) {
	if len(b) < 16+83 || (len(b)-16)%83 != 0 {
		return chunkResult{}, fmt.Errorf("serve: chunk result of %d bytes", len(b))
	}
	r := chunkResult{
		used: int(binary.LittleEndian.Uint64(b)),
		busy: time.Duration(binary.LittleEndian.Uint64(b[8:])),
	}
	for p := b[16:]; len(p) > 0; p = p[83:] {
		var it BatchItem
		switch p[0] {
		case outSolved:
			it = BatchItem{Solution: sudoku.Grid(p[2:83]).String(), Unique: p[1] == 1}
		case outUnsolvable:
			it.Error = "no solution"
		case outTooHard:
			it.Error = tooHard
		default:
			it.Error = batchSpent
		}
		r.items = append(r.items, it)
	}
	return r, nil
}

// allTask calls yield with each solution of g, up to limit, within budget
// nodes: GET /solve/all's work.
func allTask(ctx context.Context, g sudoku.Grid, limit, budget int, yield func(sudoku.Grid) bool) error {
	_, _, err := sudoku.All(ctx, g, limit, budget, yield)
	return err
}

// remoteAll is allTask in a process worker. Argument: the grid (81 bytes),
// the limit and the budget (uint64 each). Items: each solution (81 bytes),
// then the outcome (1 byte) unless the consumer stopped first.
func remoteAll(ctx context.Context, arg []byte, _ []*shm.Region, emit func([]byte) bool) error {
	if len(arg) != 81+16 {
		return fmt.Errorf("serve: solve/all argument of %d bytes, want 97", len(arg))
	}
	g := sudoku.Grid(arg[:81])
	crashIfAsked(g.String())
	stopped := false
	err := allTask(ctx, g, int(binary.LittleEndian.Uint64(arg[81:])), int(binary.LittleEndian.Uint64(arg[89:])),
		func(s sudoku.Grid) bool {
			stopped = !emit(s[:])
			return !stopped
		})
	out, err := outcomeOf(err)
	if err != nil || stopped {
		return err
	}
	emit([]byte{out})
	return nil
}

func encodeAll(g sudoku.Grid, limit, budget int) []byte {
	b := append([]byte(nil), g[:]...)
	b = binary.LittleEndian.AppendUint64(b, uint64(limit))
	return binary.LittleEndian.AppendUint64(b, uint64(budget))
}

// remoteHash hashes the password arg for storage; the result is its PHC
// string.
func remoteHash(_ context.Context, arg []byte, _ []*shm.Region) ([]byte, error) {
	crashIfAsked(string(arg))
	h, err := hashPassword(string(arg))
	return []byte(h), err
}

// remoteVerify checks a password against a PHC string. Argument: the PHC
// string's length (uint16), the string, the password. Result: 1 on a match,
// 0 otherwise.
func remoteVerify(_ context.Context, arg []byte, _ []*shm.Region) ([]byte, error) {
	if len(arg) < 2 || len(arg) < 2+int(binary.LittleEndian.Uint16(arg)) {
		return nil, fmt.Errorf("serve: verify argument of %d bytes", len(arg))
	}
	n := 2 + int(binary.LittleEndian.Uint16(arg))
	crashIfAsked(string(arg[n:]))
	ok, err := verifyPassword(string(arg[n:]), string(arg[2:n]))
	return []byte{boolByte(ok)}, err
}

func encodeVerify(phc, password string) []byte {
	b := binary.LittleEndian.AppendUint16(nil, uint16(len(phc)))
	return append(append(b, phc...), password...)
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// Crash injection, for the tests of process workers: with CrashEnv set to
// "exit", "kill" or "segv" in its environment, a process worker given
// CrashPuzzle to solve or CrashPassword to hash dies that way (exits 3,
// SIGKILLs itself, or dereferences nil on a goroutine of its own, which no
// recover can catch). Without CrashEnv they are an ordinary puzzle and
// password. Only process workers look: a crash there costs one request,
// while in the server's own process it would cost the server.
const (
	CrashEnv      = "SHARC_DEMO_CRASH"
	CrashPuzzle   = "123456789........................................................................"
	CrashPassword = "crash the worker process"
)

func crashIfAsked(input string) {
	if input != CrashPuzzle && input != CrashPassword {
		return
	}
	switch os.Getenv(CrashEnv) {
	case "exit":
		os.Exit(3)
	case "kill":
		if p, err := os.FindProcess(os.Getpid()); err == nil {
			_ = p.Kill()
			select {} // until the signal lands
		}
	case "segv":
		go func() {
			var p *int
			*p = 1 // the point: a fault no recover reaches
		}()
		select {} // until the fault ends the process
	}
}
