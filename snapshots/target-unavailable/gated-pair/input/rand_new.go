//go:build go1.22

package roll

import "math/rand/v2"

func fastrandu() uint { return uint(rand.Uint64()) }
