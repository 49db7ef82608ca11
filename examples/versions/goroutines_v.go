// Package versions shows the hazards that depend on the Go release a file is built with.
//
// goroutines_v.go shows LN101 (target-unavailable): runtime.gcount is refused by the Go 1.23+
// linker ("invalid reference to runtime.gcount").
package versions

import _ "unsafe"

//go:linkname gcount runtime.gcount
func gcount() int32

// GoroutineCount reports how many goroutines exist.
func GoroutineCount() int { return int(gcount()) }
