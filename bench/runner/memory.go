package main

import (
	"fmt"
	"sync"
	"time"
)

// memoryCopy measures how fast memory streams: copying 256 MiB with one
// goroutine per thread (the runtime's memmove, no sharc code), the best of
// three, in GB/s of bytes read and written. The 2^26 kernel rows stream
// memory, so on a VM whose memory bandwidth changes from hour to hour
// their ratios move with it: where it is low, every side runs at it and
// the ratios go to 1. It returns "" if the memory could not be mapped.
func memoryCopy(threads int) string {
	const size = 256 << 20
	n := size / 8
	src, freeSrc, err := mapSlice[uint64](n)
	if err != nil {
		return ""
	}
	defer freeSrc()
	dst, freeDst, err := mapSlice[uint64](n)
	if err != nil {
		return ""
	}
	defer freeDst()
	threads = max(1, threads)
	part := (n + threads - 1) / threads
	pass := func() time.Duration {
		var wg sync.WaitGroup
		t := time.Now()
		for k := range threads {
			lo, hi := min(k*part, n), min((k+1)*part, n)
			wg.Go(func() { copy(dst[lo:hi], src[lo:hi]) })
		}
		wg.Wait()
		return time.Since(t)
	}
	pass() // faults the pages in
	best := time.Hour
	for range 3 {
		best = min(best, pass())
	}
	return fmt.Sprintf("%.1f GB/s", 2*size/best.Seconds()/1e9)
}
