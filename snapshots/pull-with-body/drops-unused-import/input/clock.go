package clock

import (
	"fmt"
	"time"
	_ "unsafe"
)

// nanotime reads the monotonic clock.
//
//go:linkname nanotime runtime.nanotime
func nanotime() int64 {
	return time.Now().UnixNano() // never runs: the link fails
}

func Show() string { return fmt.Sprint(nanotime()) }
