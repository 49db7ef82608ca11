package ok

import "unsafe"

type hashfn uintptr

// Another spelling of the same words: not reported.
//
//go:linkname memhash runtime.memhash
func memhash(data *byte, seed uint, size int) hashfn

//go:linkname canSpin sync.runtime_canSpin
func canSpin(iter int) bool

// mockey: runtime.funcInfo is a struct of two pointers, read here as two pointers.
//
//go:linkname findfunc runtime.findfunc
func findfunc(pc uintptr) (unsafe.Pointer, unsafe.Pointer)
