// Package hist is a lock-free log-linear latency histogram shared by the
// goroutine pool (workers) and the process pool (workers/proc).
//
// Recording a value costs two atomic adds; a snapshot gives the count, the
// 50th, 90th and 99th percentiles and the maximum, with 25% resolution (four
// buckets per power of two over the whole int64 range of nanoseconds).
package hist
