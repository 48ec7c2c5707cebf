package workers

import (
	"context"
	"sync"
	"testing"
)

// BenchmarkGroupTiny is the cost per member of a group of 1000 empty tasks,
// against the same tasks through Pool.Go and a WaitGroup.
func BenchmarkGroupTiny(b *testing.B) {
	const n = 1000
	b.Run("Group", func(b *testing.B) {
		p := NewPool(Options{})
		defer p.CloseNow()
		b.ReportAllocs()
		for b.Loop() {
			g := NewGroup(bg, p, GroupOptions{})
			for range n {
				g.Go(func(context.Context) error { return nil })
			}
			g.Wait()
		}
	})
	b.Run("Go+WaitGroup", func(b *testing.B) {
		p := NewPool(Options{})
		defer p.CloseNow()
		b.ReportAllocs()
		for b.Loop() {
			var wg sync.WaitGroup
			wg.Add(n)
			for range n {
				p.Go(bg, func(context.Context) error { wg.Done(); return nil }, nil)
			}
			wg.Wait()
		}
	})
	b.Run("Go+WaitGroup cancellable", func(b *testing.B) {
		p := NewPool(Options{})
		defer p.CloseNow()
		b.ReportAllocs()
		for b.Loop() {
			ctx, cancel := context.WithCancel(bg)
			var wg sync.WaitGroup
			wg.Add(n)
			for range n {
				p.Go(ctx, func(context.Context) error { wg.Done(); return nil }, nil)
			}
			wg.Wait()
			cancel()
		}
	})
}
