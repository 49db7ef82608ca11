package main

import (
	"fmt"
	"os"
	"runtime"
	_ "unsafe"
)

// runtime.walltime exists on some ports only (darwin among them, not linux or windows).
//
//go:linkname walltime runtime.walltime
func walltime() (int64, int32)

// runtime.gcount is refused by the Go 1.23+ linker.
//
//go:linkname gcount runtime.gcount
func gcount() int32

const debug = false

func main() {
	switch runtime.GOOS {
	case "darwin":
		sec, _ := walltime()
		fmt.Println(sec > 0)
	}
	if runtime.GOOS == "darwin" && len(os.Args) > 3 {
		walltime()
	}
	if debug {
		fmt.Println(gcount())
	}
	fmt.Println("ok")
}
