package clock

import _ "unsafe"

// Handshake: this body is pushed into another package of the same module.
//
//go:linkname hook example.com/m/internal/hooks.hook
func hook() int { return 42 }
