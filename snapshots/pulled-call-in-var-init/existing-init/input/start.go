package start

import (
	"fmt"
	_ "unsafe"
)

//go:linkname nanotime runtime.nanotime
func nanotime() int64

var loaded = nanotime()

func init() {
	fmt.Println("loading")
}

func init() {
	fmt.Println("second")
}
