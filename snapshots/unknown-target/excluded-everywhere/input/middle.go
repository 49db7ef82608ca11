//go:build go1.17 && !go1.21

package old

import _ "unsafe"

//go:linkname gcount runtime.gcount
func gcount() int32 { return 0 }
