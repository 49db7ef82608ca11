// Package roll rolls dice.
package roll

// Die returns a number from 1 to 6.
func Die() int { return int(fastrandu()%6) + 1 }
