package cpus

import _ "unsafe"

//go:linkname ncpu runtime.ncpu
var ncpu int32

func N() int { return int(ncpu) }
