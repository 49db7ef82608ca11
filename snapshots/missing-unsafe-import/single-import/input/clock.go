package clock

import "time"

//go:linkname nanotime runtime.nanotime
func nanotime() int64

func Since() time.Duration { return time.Duration(nanotime()) }
