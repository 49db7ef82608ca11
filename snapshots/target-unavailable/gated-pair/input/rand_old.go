//go:build !go1.22

package roll

import _ "unsafe"

// Before Go 1.22 the runtime's own generator is the cheapest one.
//
//go:linkname fastrandu runtime.fastrandu
func fastrandu() uint
