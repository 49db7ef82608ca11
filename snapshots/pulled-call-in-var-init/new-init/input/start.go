// Copyright 2024 The Example Authors.

package start

import _ "unsafe"

//go:linkname runtimeNano runtime.nanotime
func runtimeNano() int64

//go:linkname procPin runtime.procPin
func procPin() int

//go:linkname timeNow time.now
func timeNow() (sec int64, nsec int32, mono int64)

// startupTime is when the package was initialized.
var startupTime = runtimeNano()

var (
	startMillis       = runtimeNano() / 1e6
	typed       int64 = runtimeNano()
	converted         = uint64(runtimeNano())
	pinned            = procPin()
	derived           = startMillis * 2
	lazy              = func() int64 { return runtimeNano() }
)

var sec, nsec, mono = timeNow()
