package stats

import "testing"

func TestGoroutines(t *testing.T) {
	if Goroutines() < 1 {
		t.Fatal("no goroutine")
	}
}
