// Package clock reads the runtime's monotonic clock.
package clock

import (
	"fmt" // for Sprint
	"time"

	"example.com/other/pkg"
)

//go:linkname nanotime runtime.nanotime
func nanotime() int64

func Describe() string { return fmt.Sprint(time.Duration(nanotime()), pkg.X) }
