package pick

import _ "unsafe"

//go:linkname fastrand runtime.fastrand
func fastrand() uint32

// Without --unsafe-fixes the rewrite to math/rand (module go 1.21) is held back.
func Pick(n int) int { return int(fastrand() % uint32(n)) }
