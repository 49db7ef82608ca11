//go:build !go1.23

package stats

import _ "unsafe"

//go:linkname gcount runtime.gcount
func gcount() int32
