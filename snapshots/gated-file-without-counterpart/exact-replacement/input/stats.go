// Package stats reports on the process.
package stats

// Goroutines is the number of goroutines that exist.
func Goroutines() int { return int(gcount()) }
