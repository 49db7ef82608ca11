//go:build !go1.23

// clock_before_go123_v.go shows LN108 (gated-file-without-counterpart): nanotime is declared
// only for the releases before Go 1.23, while ticks_v.go calls it on every release, so from
// Go 1.23 on the package does not compile ("undefined: nanotime").
package versions

import _ "unsafe"

//go:linkname nanotime runtime.nanotime
func nanotime() int64
