package clock

import (
	u "unsafe"
)

var _ = u.Sizeof(0)

//go:linkname nanotime runtime.nanotime
func nanotime() int64
