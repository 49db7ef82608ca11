package ok

import (
	_ "unsafe"

	_ "example.com/dep"
)

// Works on every release in range: not reported.
//
//go:linkname nanotime runtime.nanotime
func nanotime() int64

//go:linkname procPin runtime.procPin
func procPin() int

// A push: the one-argument form.
//
//go:linkname Exported
func Exported() int { return 1 }

// A handshake inside the module.
//
//go:linkname handshake example.com/m/internal/impl.hook
func handshake() int { return 2 }

// A pull from a third-party module.
//
//go:linkname depSeed example.com/dep.seed
func depSeed() uint64
