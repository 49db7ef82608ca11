// Package sum hashes byte strings.
package sum

import "unsafe"

// Bytes hashes b with the given seed.
func Bytes(b []byte, seed uintptr) uintptr {
	if len(b) == 0 {
		return seed
	}
	return memhash(unsafe.Pointer(&b[0]), seed, uintptr(len(b)))
}
