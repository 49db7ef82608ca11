// Package clock reads the runtime's monotonic clock.
//
// Shows LN001 (missing-unsafe-import) and LN003 (detached-directive).
package clock

import "time"

// nanotime is the runtime's monotonic clock in nanoseconds.
//go:linkname nanotime runtime.nanotime

func nanotime() int64

// Elapsed reports the monotonic time since start, a nanotime reading.
func Elapsed(start int64) time.Duration { return time.Duration(nanotime() - start) }
