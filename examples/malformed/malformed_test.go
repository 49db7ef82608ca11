// Shows LN004 (malformed-directive): every release rejects these two lines with "usage:
// //go:linkname localname [linkname]", and no fix is offered.  A package of test files only, so
// that `go build ./...` of the example module, fixed, skips it (`go test` of it fails).

package malformed

import _ "unsafe"

//go:linkname uptime runtime.nanotime // monotonic
func uptime() int64

//go:linkname ticks runtime.cputicks extra
func ticks() int64
