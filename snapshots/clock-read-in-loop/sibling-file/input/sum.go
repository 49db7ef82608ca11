package mono

// Weigh weighs items by the clock.
func Weigh(items []int) int64 {
	var sum int64
	for _, v := range items {
		sum += int64(v) * mono()
	}
	return sum
}
