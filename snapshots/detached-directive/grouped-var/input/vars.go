package stats

import _ "unsafe"

//go:linkname ncpu runtime.ncpu

var (
	other int
	ncpu  int32
)
