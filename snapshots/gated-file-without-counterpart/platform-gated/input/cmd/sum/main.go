package main

import (
	"fmt"

	"example.com/sum"
)

func main() {
	fmt.Println(sum.Bytes([]byte("hello"), 1) != 0)
}
