package clock

import _ "unsafe"

//go:linkname nanotime runtime.nanotime
func nanotime() int64

//go:linkname cputicks runtime.cputicks
func cputicks() int64

// Weigh: the reading need not change per iteration.
func Weigh(items []int) int64 {
	var sum int64
	for _, v := range items {
		sum += int64(v) * nanotime()
	}
	return sum
}

// Nested loops with a label: the read moves before the outermost loop, two reads share it.
func Nested(rows [][]int) (total int64) {
	now := 0 // the name is taken: the hoisted variable is now2
outer:
	for _, r := range rows {
		for j := 0; j < len(r); j++ {
			total += nanotime()%7 + nanotime()%3
			if r[j] < now {
				continue outer
			}
		}
	}
	return total
}

// Ticks: cputicks reads go into "ticks".
func Ticks(n int) (s int64) {
	for i := 0; i < n; i++ {
		s ^= cputicks()
	}
	return s
}
