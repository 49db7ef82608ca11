package auth

import (
	"encoding/binary"
	"encoding/hex"
	_ "unsafe"
)

//go:linkname fastrand runtime.fastrand
func fastrand() uint32

//go:linkname fastrandn runtime.fastrandn
func fastrandn(n uint32) uint32

// NewSessionToken: the value flows into the function's name words (session, token).
func NewSessionToken() string {
	var b [16]byte
	for i := 0; i < len(b); i += 4 {
		binary.LittleEndian.PutUint32(b[i:], fastrand())
	}
	return hex.EncodeToString(b[:])
}

// MakeSalt returns an error, so the crypto/rand error is returned.
func MakeSalt(n int) ([]byte, int, error) {
	out := make([]byte, n)
	for i := range out {
		out[i] = byte(fastrandn(256))
	}
	return out, n, nil
}

type creds struct{ nonce uint32 }

// fill: the value goes into a field named nonce.
func fill(c *creds) {
	c.nonce = fastrand()
}

// id: hex encoding of the random bytes is the shape of a token.
func id() string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], fastrand())
	return hex.EncodeToString(b[:])
}
