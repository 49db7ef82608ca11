package mono

import _ "unsafe"

//go:linkname mono runtime.nanotime
func mono() int64
