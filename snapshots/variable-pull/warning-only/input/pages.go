package pages

import _ "unsafe"

//go:linkname physPageSize runtime.physPageSize
var physPageSize uintptr
