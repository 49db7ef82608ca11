package clock

import _ "unsafe"

//go:linkname nanotime runtime.nanotime
func nanotime() int64

//go:linkname fastrandu runtime.fastrandu
func fastrandu() uint

// Stamp is a time with some noise.
func Stamp() int64 { return nanotime() + int64(fastrandu()%8) }
