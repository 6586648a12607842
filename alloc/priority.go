package alloc

import (
	"crypto/rand"
	"encoding/binary"
	"time"
)

// priorityKey orders the children competing for seats: lower tier first, then earlier request.
// Two children with equal keys have the same right to a seat; the seeded draw decides between them.
type priorityKey struct {
	tier int
	at   time.Time
}

// before reports whether k has strictly higher priority than o.
func (k priorityKey) before(o priorityKey) bool {
	if k.tier != o.tier {
		return k.tier < o.tier
	}
	return k.at.Before(o.at)
}

// draw is the seeded tie-break of a unit. It hashes the seed with the household (or child) ID rather
// than shuffling a list, so the result does not depend on the order of the input, and one household
// keeps the same draw on every day of the week.
func draw(seed uint64, kind uint64, id int64) uint64 {
	return splitmix64(splitmix64(seed^kind) ^ uint64(id))
}

// splitmix64 is the finaliser of Steele, Lea and Flood's SplitMix64: a fixed, well-mixed bijection,
// written here so that replaying a run never depends on the Go version's random number generators.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// RandomSeed returns a fresh seed from the system's secure source, below 2^53 so that it survives
// a trip through JavaScript numbers.
func RandomSeed() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return binary.LittleEndian.Uint64(b[:]) >> 11
}
