// Package bench compares sharc with its peers. It is a separate module so
// that the library's go.mod stays lean; run its benchmarks from this folder.
package bench
