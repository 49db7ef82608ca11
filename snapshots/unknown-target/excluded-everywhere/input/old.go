// Package old builds on every release; the other files of it never do in range.
package old

// Answer is what callers use.
func Answer() int { return 42 }
