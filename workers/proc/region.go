package proc

import (
	"github.com/sharc-go/sharc/shm"
)

// A RegionArg is a region sent with a call, shared or transferred.
type RegionArg struct {
	r        *shm.Region
	transfer bool
}

// Share sends r to the child; both sides keep it mapped and coordinate with
// in-region atomics and barriers. The child keeps the mapping for later calls
// (up to 64 regions a child, least recently used out first), so sending the
// same region again costs neither an fd nor an mmap; once r is closed here,
// the child unmaps it at its next call.
func Share(r *shm.Region) RegionArg { return RegionArg{r: r} }

// Transfer sends r to the child and closes (unmaps) it in the parent once
// sent, so a slice the parent kept faults instead of racing with the child.
// The child unmaps it after the task. Unmapping costs the parent time in
// proportion to the pages it touched (page-table teardown), not a copy.
func Transfer(r *shm.Region) RegionArg { return RegionArg{r: r, transfer: true} }
