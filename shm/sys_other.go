//go:build !linux

package shm

import (
	"errors"
	"fmt"
	"os"
	"runtime"
)

var errUnsupported = fmt.Errorf("shm: shared regions are not supported on %s yet: %w", runtime.GOOS, errors.ErrUnsupported)

// New is like the package-level New, with these options.
func (o Options) New(size int) (*Region, error) { return nil, errUnsupported }

// Create is like the package-level Create, with these options.
func (o Options) Create(name string, size int) (*Region, error) { return nil, errUnsupported }

// Open is like the package-level Open, with these options.
func (o Options) Open(name string) (*Region, error) { return nil, errUnsupported }

// OpenFile is like the package-level OpenFile, with these options.
func (o Options) OpenFile(f *os.File) (*Region, error) { return nil, errUnsupported }

func unmap(data []byte) error                          { return nil }
func release(r *Region, data []byte, lo, hi int) error { return nil }
func dupFile(f *os.File) (*os.File, error)             { return nil, errUnsupported }

// processAlive cannot tell off Linux; barriers then rely on deadlines.
func processAlive(pid int) bool { return true }

func unlinkSegment(name string) error { return errUnsupported }
