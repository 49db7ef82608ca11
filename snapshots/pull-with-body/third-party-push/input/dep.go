package clock

import _ "unsafe"

//go:linkname seed github.com/some/dep.seed
func seed() uint64 { return 7 }
