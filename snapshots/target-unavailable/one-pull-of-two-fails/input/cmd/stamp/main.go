package main

import "example.com/clock"

func main() { println(clock.Stamp() > 0) }
