//go:build glsx

// Built only with -tags glsx, for a patched toolchain that exports the symbol itself.
package g

import "unsafe"

//go:linkname getgp runtime.getgp0
func getgp() unsafe.Pointer
