package main

import (
	"os"

	"example.com/abi"
)

func main() {
	if len(os.Args) > 9 {
		println(abi.Use())
	}
}
