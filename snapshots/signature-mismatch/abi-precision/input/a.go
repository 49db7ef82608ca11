package abi

import _ "unsafe"

//go:linkname rtExit runtime.exit
func rtExit(code int)

//go:linkname fastrand64 runtime.fastrand
func fastrand64() uint64

//go:linkname fastrandn runtime.fastrandn
func fastrandn(n uint16) uint32

//go:linkname stopTheWorld runtime.stopTheWorld
func stopTheWorld()

//go:linkname procUnpin runtime.procUnpin
func procUnpin() int

// Use calls them.
func Use() uint64 {
	procUnpin()
	stopTheWorld()
	if fastrandn(3) > 5 {
		rtExit(1)
	}
	return fastrand64()
}
