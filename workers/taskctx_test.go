package workers

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// submitPaths runs fn as one pool task, submitted each way a task can be,
// and returns once the task has finished (as its submitter sees it).
var submitPaths = []struct {
	name string
	run  func(t *testing.T, ctx context.Context, p *Pool, fn func(ctx context.Context))
}{
	{"Submit", func(t *testing.T, ctx context.Context, p *Pool, fn func(ctx context.Context)) {
		tk, err := Submit(ctx, p, func(ctx context.Context) (int, error) { fn(ctx); return 0, nil })
		require.NoError(t, err)
		_, err = tk.Wait(bg)
		require.NoError(t, err)
	}},
	{"Go", func(t *testing.T, ctx context.Context, p *Pool, fn func(ctx context.Context)) {
		var wg sync.WaitGroup
		wg.Add(1)
		require.NoError(t, p.Go(ctx, func(ctx context.Context) error { defer wg.Done(); fn(ctx); return nil }, nil))
		wg.Wait()
	}},
	{"WithTimeout", func(t *testing.T, ctx context.Context, p *Pool, fn func(ctx context.Context)) {
		tk, err := Submit(ctx, p, func(ctx context.Context) (int, error) { fn(ctx); return 0, nil }, WithTimeout(time.Hour))
		require.NoError(t, err)
		_, err = tk.Wait(bg)
		require.NoError(t, err)
	}},
	{"Group", func(t *testing.T, ctx context.Context, p *Pool, fn func(ctx context.Context)) {
		g := NewGroup(ctx, p, GroupOptions{})
		g.Go(func(ctx context.Context) error { fn(ctx); return nil })
		require.NoError(t, g.Wait())
	}},
	{"Stream", func(t *testing.T, ctx context.Context, p *Pool, fn func(ctx context.Context)) {
		for _, err := range Stream(ctx, p, func(ctx context.Context, yield func(int) bool) error { fn(ctx); return nil }) {
			require.NoError(t, err)
		}
	}},
}

// A task's context ends when the task returns, whatever it was submitted
// with and however: a goroutine the task left waiting on it ends too, and
// one that first asks for Done after the task returned finds it closed.
func TestTaskContextEndsWithTask(t *testing.T) {
	type key struct{}
	cancellable, cancel := context.WithCancel(bg)
	defer cancel()
	ctxs := []struct {
		name string
		ctx  context.Context
	}{
		{"Background", bg},
		{"TODO", context.TODO()},
		{"values only", context.WithValue(bg, key{}, "v")},
		{"WithoutCancel", context.WithoutCancel(context.WithValue(cancellable, key{}, "v"))},
		{"cancellable", context.WithValue(cancellable, key{}, "v")},
	}
	p := NewPool(Options{Workers: 2})
	defer p.CloseNow()
	for _, c := range ctxs {
		for _, path := range submitPaths {
			t.Run(c.name+"/"+path.name, func(t *testing.T) {
				waited := make(chan struct{})
				var kept context.Context
				var during error
				path.run(t, c.ctx, p, func(ctx context.Context) {
					kept, during = ctx, ctx.Err()
					go func() {
						<-ctx.Done()
						close(waited)
					}()
				})
				require.NoError(t, during)
				select {
				case <-waited:
				case <-time.After(5 * time.Second):
					t.Fatal("a goroutine waiting on the task's context outlived the task")
				}
				require.ErrorIs(t, kept.Err(), context.Canceled)
				require.ErrorIs(t, context.Cause(kept), context.Canceled)
				assert.Equal(t, c.ctx.Value(key{}), kept.Value(key{}))
			})
		}
	}
	for _, c := range ctxs {
		t.Run(c.name+"/Done after return", func(t *testing.T) {
			var kept context.Context
			submitPaths[1].run(t, c.ctx, p, func(ctx context.Context) { kept = ctx })
			require.ErrorIs(t, kept.Err(), context.Canceled, "Err before Done")
			require.Nil(t, kept.Value(struct{}{}))
			done := kept.Done()
			require.Equal(t, done, kept.Done(), "Done returns one channel")
			select {
			case <-done:
			default:
				t.Fatal("Done of a returned task is not closed")
			}
			require.ErrorIs(t, context.Cause(kept), context.Canceled)
			child, stop := context.WithCancel(kept)
			defer stop()
			require.ErrorIs(t, child.Err(), context.Canceled)
			if bc, ok := kept.(*bgCtx); ok {
				require.False(t, bc.lookup().stopKill(), "born cancelled, registered with the pool")
			}
		})
	}
}

// A goroutine a task left waiting on its context ends by the time Wait
// returns for the task and the pool is closed: none outlives the pool.
func TestTaskContextGoroutinesEndByClose(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	for _, ctx := range []context.Context{bg, context.WithValue(bg, struct{}{}, 1)} {
		p := NewPool(Options{Workers: 2})
		var tasks []*Task[int]
		for range 300 { // more than one slab of ids per worker
			tk, err := Submit(ctx, p, func(ctx context.Context) (int, error) {
				go func() { <-ctx.Done() }()
				return 0, nil
			})
			require.NoError(t, err)
			tasks = append(tasks, tk)
		}
		for _, tk := range tasks {
			_, err := tk.Wait(bg)
			require.NoError(t, err)
		}
		require.NoError(t, p.Close(bg))
	}
}

// Many tasks on Background, some asking for Done (during the task, from
// the task, or from a goroutine that races its end), across slab
// boundaries: every context is cancelled once its task has returned, and
// none before.
func TestBackgroundTaskContextsRace(t *testing.T) {
	p := NewPool(Options{Workers: 2, MaxQueue: Unbounded})
	defer p.CloseNow()
	const n = 3 * bgIDs
	kept := make([]context.Context, n)
	var wg, late sync.WaitGroup
	wg.Add(n)
	for i := range n {
		require.NoError(t, p.Go(bg, func(ctx context.Context) error {
			defer wg.Done()
			kept[i] = ctx
			switch i % 4 {
			case 1:
				select {
				case <-ctx.Done():
					t.Errorf("task %d: context done while it runs", i)
				default:
				}
			case 2:
				late.Add(1)
				go func() { defer late.Done(); <-ctx.Done() }()
			}
			if ctx.Err() != nil {
				t.Errorf("task %d: Err while it runs", i)
			}
			return nil
		}, nil))
	}
	wg.Wait()
	late.Wait()
	for i, ctx := range kept {
		<-ctx.Done()
		require.ErrorIs(t, ctx.Err(), context.Canceled, "task %d", i)
	}
}
