// typo_v.go shows LN104 (unknown-target): "runtim" is no package, so the link fails with
// "relocation target runtim.nanotime not defined".
package versions

import _ "unsafe"

//go:linkname monotonic runtim.nanotime
func monotonic() int64
