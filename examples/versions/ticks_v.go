// ticks_v.go uses nanotime, which clock_before_go123_v.go declares for Go 1.21-1.22 only
// (LN108).
package versions

// Ticks reads the runtime's monotonic clock, in nanoseconds.
func Ticks() int64 { return nanotime() }
