//go:build go1.21 && !go1.23

package main

import _ "unsafe"

//go:linkname gcount runtime.gcount
func gcount() int32
