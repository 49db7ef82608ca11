package clock

import _ "unsafe"

// nanotime reads the monotonic clock.
//go:linkname nanotime runtime.nanotime


func nanotime() int64
