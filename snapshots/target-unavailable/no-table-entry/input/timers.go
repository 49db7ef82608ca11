package timers

import "unsafe"

//go:linkname addtimer runtime.addtimer
func addtimer(t unsafe.Pointer)

// Add schedules t.
func Add(t unsafe.Pointer) { addtimer(t) }
