//go:build !linux

package proc

import (
	"context"
	"errors"
	"fmt"
	"runtime"
)

var errUnsupported = fmt.Errorf("proc: process workers are not supported on %s yet: %w", runtime.GOOS, errors.ErrUnsupported)

// RunChildIfRequested returns at once: there are no process workers here.
func RunChildIfRequested() {}

// A Pool runs calls on child processes; on this system NewPool fails.
type Pool struct{}

// NewPool returns an error matching errors.ErrUnsupported on this system.
func NewPool(opts Options) (*Pool, error) { return nil, errUnsupported }

// Call returns errUnsupported.
func (p *Pool) Call(ctx context.Context, fn string, arg []byte, regions ...RegionArg) ([]byte, error) {
	return nil, errUnsupported
}

// TryCall returns errUnsupported.
func (p *Pool) TryCall(ctx context.Context, fn string, arg []byte, regions ...RegionArg) ([]byte, error) {
	return nil, errUnsupported
}

// Stats returns zero counts.
func (p *Pool) Stats() Stats { return Stats{} }

// Close does nothing.
func (p *Pool) Close(ctx context.Context) error { return nil }

// CloseNow does nothing.
func (p *Pool) CloseNow() {}
