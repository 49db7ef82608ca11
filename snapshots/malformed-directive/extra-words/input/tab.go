package clock

import _ "unsafe"

//go:linkname	now runtime.nanotime
func now() int64
