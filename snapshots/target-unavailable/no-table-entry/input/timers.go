package timers

import "unsafe"

//go:linkname addtimer runtime.addtimer
func addtimer(t unsafe.Pointer)
