//go:build !go1.13

package old

//go:linkname fastrand runtime.fastrand
func fastrand() uint32

func roll() uint32 { return fastrand() % 6 }
