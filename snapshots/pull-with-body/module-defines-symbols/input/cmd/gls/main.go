package main

import (
	"fmt"

	"example.com/gls"
)

func main() { fmt.Println(gls.Current()) }
