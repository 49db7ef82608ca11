package hooks

import _ "unsafe"

//go:linkname hook
func hook() int

func Value() int { return hook() }
