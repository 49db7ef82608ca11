// Package fast exports the runtime's generator.
package fast

import _ "unsafe"

// Fastrand returns a pseudo-random number; importers call it.
//
//go:linkname Fastrand runtime.fastrand
func Fastrand() uint32

// Pick returns an index below n.
func Pick(n uint32) uint32 { return Fastrand() % n }
