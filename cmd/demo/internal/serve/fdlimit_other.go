//go:build !unix

package serve

func defaultMaxConns() int { return 1024 }
