package cpus

import _ "unsafe"

//go:linkname ncpu runtime.ncpu
var ncpu uintptr
