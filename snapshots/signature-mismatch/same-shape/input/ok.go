package ok

import _ "unsafe"

type hashfn uintptr

// Another spelling of the same words: not reported.
//
//go:linkname memhash runtime.memhash
func memhash(data *byte, seed uint, size int) hashfn

//go:linkname canSpin sync.runtime_canSpin
func canSpin(iter int) bool
