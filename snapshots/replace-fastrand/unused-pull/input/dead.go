package dead

import (
	_ "unsafe"
)

// fastrand is left over from an old version: nothing calls it.
//
//go:linkname fastrand runtime.fastrand
func fastrand() uint32

// Answer is the only other code.
func Answer() int { return 42 }
