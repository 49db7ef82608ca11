//go:build !glsx

// Package g hands symbols to the root package under names of its own choosing.
package g

import "unsafe"

// getg is implemented in assembly.
func getg() unsafe.Pointer

// A name std never defines: this body is the definition.
//
//go:linkname getgp runtime.getgp
func getgp() unsafe.Pointer { return getg() }

// A name in no package at all: defined here, pulled by the root package.
//
//go:linkname isNil gls.isNil
func isNil(i any) bool { return i == nil }
