package pin

import _ "unsafe"

//go:linkname procPin runtime.procPin
func procPin() int

//go:linkname procUnpin runtime.procUnpin
func procUnpin() int

// ID returns the P the caller runs on.
func ID() int {
	id := procPin()
	procUnpin()
	return id
}
