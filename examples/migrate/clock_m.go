package migrate

// This file shows LN203 (clock-read-in-loop) and LN204 (pulled-call-in-var-init).

import _ "unsafe"

//go:linkname nanotime runtime.nanotime
func nanotime() int64

// loadedAt is when the package was initialized, by the runtime's monotonic clock.
var loadedAt = nanotime()

// Weigh scales each item by the current clock reading (hoistable: the reading need not change).
func Weigh(items []int) int64 {
	var sum int64
	for _, v := range items {
		sum += int64(v) * nanotime()
	}
	return sum
}

// Spin waits until the clock passes deadline (never hoisted: the reading is compared).
func Spin(deadline int64) int {
	n := 0
	for nanotime() < deadline {
		n++
	}
	return n
}

// Age is the time since the package was loaded.
func Age() int64 { return nanotime() - loadedAt }
