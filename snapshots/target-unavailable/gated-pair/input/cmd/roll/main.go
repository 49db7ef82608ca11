package main

import (
	"fmt"

	"example.com/roll"
)

func main() { fmt.Println(roll.Die() > 0) }
