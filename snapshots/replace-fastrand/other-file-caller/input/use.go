package multi

import "fmt"

// The caller is in another file of the package; the pull goes once nothing calls it.
func Show() string { return fmt.Sprint(fastrand() % 10) }
