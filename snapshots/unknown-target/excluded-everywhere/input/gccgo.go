//go:build gccgo

package old

import _ "unsafe"

// gccgo has its own runtime: the gc linker never sees this file.
//
//go:linkname nanotime runtime.nanotime_gccgo
func nanotime() int64
