//go:build !go1.23

package clock

import _ "unsafe"

// nanotime reads the runtime's monotonic clock.
//
//go:linkname nanotime runtime.nanotime
func nanotime() int64
