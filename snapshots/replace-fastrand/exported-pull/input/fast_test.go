package fast

import "testing"

func TestFastrand(t *testing.T) {
	for i := 0; i < 8; i++ {
		if Fastrand() != Fastrand() {
			return
		}
	}
	t.Fatal("Fastrand repeats itself")
}

func TestPick(t *testing.T) {
	if Pick(6) >= 6 {
		t.Fatal("out of range")
	}
}
