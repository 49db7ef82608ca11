package clock

import _ "unsafe"

// One-argument form: marks the symbol for others to pull.
//
//go:linkname Exported
func Exported() int { return 1 }

// A two-argument push into this package's own path.
//
//go:linkname renamed example.com/m.renamedSymbol
func renamed() int { return 2 }
