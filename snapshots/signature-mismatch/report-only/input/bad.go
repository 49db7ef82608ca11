package bad

import "unsafe"

//go:linkname fastrand runtime.fastrand
func fastrand() (uint32, error)

//go:linkname memhash runtime.memhash
func memhash(p unsafe.Pointer, h uintptr) uintptr

func Use(s string) (uint32, uintptr) {
	x, _ := fastrand()
	return x, memhash(unsafe.Pointer(&s), 0)
}
