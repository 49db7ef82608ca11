// Package migrate shows the rewrites gofix-linkname offers for common pulls.
//
// This file shows LN202 (replace-fastrand): runtime.fastrand feeding a session token (an
// error: crypto/rand) and a plain random choice (math/rand for this go 1.21 module).
package migrate

import (
	"encoding/binary"
	"encoding/hex"
	_ "unsafe"
)

//go:linkname fastrand runtime.fastrand
func fastrand() uint32

// NewSessionToken returns a fresh session token.
func NewSessionToken() string {
	var b [16]byte
	for i := 0; i < len(b); i += 4 {
		binary.LittleEndian.PutUint32(b[i:], fastrand())
	}
	return hex.EncodeToString(b[:])
}

// Pick returns a random index into a slice of n elements.
func Pick(n int) int {
	return int(fastrand() % uint32(n))
}
