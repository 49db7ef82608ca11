//go:build !go1.19

package old

import _ "unsafe"

//go:linkname fastrandn runtime.fastrandn
func fastrandn(n uint32) uint32

// Pick is built only before Go 1.19, outside this module's range.
func Pick(n uint32) uint32 { return fastrandn(n) }
