//go:build go1.21

// goroutines_go121_v.go shows LN102 (open-ended-version-tag): a go1.21 file with no upper
// bound keeps being compiled by Go 1.23+, whose linker refuses the pull.
package versions

import _ "unsafe"

//go:linkname goroutineCount runtime.gcount
func goroutineCount() int32

// Goroutines reports how many goroutines exist.
func Goroutines() int { return int(goroutineCount()) }
