package main

import (
	"fmt"
	_ "unsafe"
)

// Both pulls work on every release: nothing to split.
//
//go:linkname nanotime runtime.nanotime
func nanotime() int64

//go:linkname fastrand runtime.fastrand
func fastrand() uint32

func main() { fmt.Println(nanotime() > 0, fastrand() >= 0) }
