//go:build debugclock

package old

import _ "unsafe"

//go:linkname walltime runtime.walltimeX
func walltime() (int64, int32)
