// alloc_v.go shows LN105 (runtime-internal): the allocator is never safe to call directly.
package versions

import "unsafe"

//go:linkname mallocgc runtime.mallocgc
func mallocgc(size uintptr, typ unsafe.Pointer, needzero bool) unsafe.Pointer
