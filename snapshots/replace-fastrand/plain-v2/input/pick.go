package pick

import _ "unsafe"

//go:linkname fastrandn runtime.fastrandn
func fastrandn(n uint32) uint32

//go:linkname fastrand64 runtime.fastrand64
func fastrand64() uint64

//go:linkname cheaprand64 runtime.cheaprand64
func cheaprand64() int64

// Shuffle is not security use: math/rand/v2 (module go 1.22).
func Shuffle(xs []int) {
	for i := len(xs) - 1; i > 0; i-- {
		j := int(fastrandn(uint32(i + 1)))
		xs[i], xs[j] = xs[j], xs[i]
	}
}

func coin() bool { return fastrandn(2) == 1 }

func jitter() uint64 { return fastrand64() % 1000 }

func sample() int64 { return cheaprand64() }
