package clash

import (
	"crypto/rand"
	_ "unsafe"
)

//go:linkname fastrand runtime.fastrand
func fastrand() uint32

// The file imports crypto/rand as rand already: math/rand/v2 must take another name.
func roll() uint32 { return fastrand() % 6 }

func reader() any { return rand.Reader }

// A parameter named rand: crypto/rand's name must not shadow or be shadowed.
func spread(rand int) int { return rand + int(fastrand()%3) }
