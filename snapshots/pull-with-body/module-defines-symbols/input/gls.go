// Package gls pulls what package g defines.
package gls

import (
	"unsafe"

	_ "example.com/gls/g"
)

//go:linkname getgp runtime.getgp
func getgp() unsafe.Pointer

//go:linkname isNil gls.isNil
func isNil(i any) bool

// Current reports whether the goroutine pointer is known.
func Current() bool { return getgp() != nil && !isNil(1) }
