package clock

import _ "unsafe"

//go:linkname walltime runtime.walltime
func walltime() (int64, int32)
