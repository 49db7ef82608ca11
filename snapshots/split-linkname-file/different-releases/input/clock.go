// Copyright 2024 Example.
// SPDX-License-Identifier: MIT

// Package main mixes pulls.
package main

import (
	"fmt"
	_ "unsafe"
)

//go:linkname nanotime runtime.nanotime
func nanotime() int64

// fastrandu is a machine-word random number.
//
//go:linkname fastrandu runtime.fastrandu
func fastrandu() uint

//go:linkname cheaprand runtime.cheaprand
func cheaprand() uint32

func main() {
	fmt.Println(nanotime() > 0, fastrandu() >= 0, cheaprand() >= 0)
}
