// cpus_v.go shows LN106 (variable-pull): runtime.ncpu is refused on Go 1.23-1.24 and gone
// from Go 1.25, where this declaration silently defines a new variable that reads 0.
package versions

import _ "unsafe"

//go:linkname ncpu runtime.ncpu
var ncpu int32

// CPUs is the number of CPUs the runtime saw at start-up.
func CPUs() int { return int(ncpu) }
