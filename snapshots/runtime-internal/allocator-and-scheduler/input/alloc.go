package alloc

import "unsafe"

//go:linkname mallocgc runtime.mallocgc
func mallocgc(size uintptr, typ unsafe.Pointer, needzero bool) unsafe.Pointer

//go:linkname gopark runtime.gopark
func gopark(unlockf unsafe.Pointer, lock unsafe.Pointer, reason uint8, traceReason uint8, traceskip int)

// nosplit alone is not a hazard: not reported.
//
//go:linkname nanotime runtime.nanotime
func nanotime() int64
