package clock

import _ "unsafe"

// nanotime reads the monotonic clock.
//
//go:linkname nanotime runtime.nanotime
//go:noescape
func nanotime() int64

var (
	//go:linkname ncpu runtime.ncpu
	ncpu int32
)
