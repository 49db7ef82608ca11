package migrate

// This file shows LN201 (split-linkname-file): runtime.fastrandu is gone since Go 1.22 and
// runtime.cheaprand arrived in Go 1.22, so no release links both pulls of one file.

import _ "unsafe"

//go:linkname wordRand runtime.fastrandu
func wordRand() uint

//go:linkname cheapRand runtime.cheaprand
func cheapRand() uint32

// Mix combines both generators.
func Mix() uint { return wordRand() ^ uint(cheapRand()) }
