// Package clock measures intervals.
package clock

// Since is the time elapsed since start, a value of Now.
func Since(start int64) int64 { return nanotime() - start }

// Now is the current reading of the clock.
func Now() int64 { return nanotime() }
