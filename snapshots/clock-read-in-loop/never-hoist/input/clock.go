package clock

import (
	"sync"
	"time"
	_ "unsafe"
)

//go:linkname nanotime runtime.nanotime
func nanotime() int64

//go:linkname timeNow time.now
func timeNow() (sec int64, nsec int32, mono int64)

func condition(deadline int64) (n int) {
	for nanotime() < deadline {
		n++
	}
	return
}

func post(n int) (last int64) {
	for i := 0; i < n; last = nanotime() {
		i++
	}
	return
}

func deadline(d int64) {
	for {
		if nanotime() > d {
			return
		}
	}
}

func previous(xs []int) (worst int64) {
	prev := nanotime()
	for range xs {
		now := nanotime()
		if d := now - prev; d > worst {
			worst = d
		}
		prev = now
	}
	return
}

func stored(n int, ch chan int64) ([]int64, map[int]int64) {
	out := make([]int64, n)
	m := map[int]int64{}
	for i := 0; i < n; i++ {
		out[i] = nanotime()
		m[i] = nanotime()
		ch <- nanotime()
	}
	return out, m
}

func appended(n int) (out []int64) {
	for i := 0; i < n; i++ {
		out = append(out, nanotime())
	}
	return
}

func sleeps(n int) (s int64) {
	for i := 0; i < n; i++ {
		time.Sleep(time.Millisecond)
		s += nanotime()
	}
	return
}

func waits(wg *sync.WaitGroup, n int) (s int64) {
	for i := 0; i < n; i++ {
		wg.Wait()
		s += nanotime()
	}
	return
}

func receives(ch chan int) (s int64) {
	for range ch {
		s += nanotime()
	}
	return
}

func multi(n int) (s int64) {
	for i := 0; i < n; i++ {
		sec, _, _ := timeNow()
		s += sec
	}
	return
}

// Not in a loop (once, in the initializer) and in a closure: not reported.
func once(n int) func() int64 {
	for t := nanotime(); n > 0; n-- {
		_ = t
	}
	return func() int64 { return nanotime() }
}
