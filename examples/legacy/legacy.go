// Package legacy carries a pull that was given a body during a refactoring.
//
// Shows LN002 (pull-with-body): the link fails with "duplicated definition of symbol".
package legacy

import (
	"sync/atomic"
	_ "unsafe"
)

var calls atomic.Int64

//go:linkname procPin runtime.procPin
func procPin() int {
	calls.Add(1)
	return 0
}

//go:linkname procUnpin runtime.procUnpin
func procUnpin()

// PinnedID returns the id of the P the caller runs on.
func PinnedID() int {
	id := procPin()
	procUnpin()
	return id
}
