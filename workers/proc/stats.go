package proc

import "github.com/sharc-go/sharc/workers"

// Stats is a pool's counters and latency histograms: workers.Stats, the
// shape and rendering both pools share. For a proc.Pool, Workers counts
// the live children and MaxWorkers is Options.Workers; Running counts calls
// holding a child; Cancelled counts calls dropped before a child took them;
// Wait is the time from Call to a child taking the call and Run the round
// trip; Died, Killed, Restarts and Recycled count children. UtilizationRecent
// is not tracked (zero).
type Stats = workers.Stats

// Latency summarizes a latency histogram in microseconds: workers.Latency.
type Latency = workers.Latency
