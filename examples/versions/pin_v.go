// pin_v.go shows LN103 (signature-mismatch): runtime.procUnpin returns nothing.
package versions

import _ "unsafe"

//go:linkname pin runtime.procPin
func pin() int

//go:linkname unpin runtime.procUnpin
func unpin() int

// Pinned runs f while the goroutine cannot be moved to another P.
func Pinned(f func(p int)) {
	f(pin())
	unpin()
}
