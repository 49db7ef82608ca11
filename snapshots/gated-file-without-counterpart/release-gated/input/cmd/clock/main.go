package main

import (
	"fmt"

	"example.com/clock"
)

func main() {
	start := clock.Now()
	fmt.Println(clock.Since(start) >= 0)
}
