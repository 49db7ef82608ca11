// Shows LN004 (malformed-directive): every release rejects these two lines with "usage:
// //go:linkname localname [linkname]", and no fix is offered.  A test file, so that `go build`
// of the example module, fixed, still succeeds (`go test` and `go vet` of it do not).

package legacy

import _ "unsafe"

//go:linkname uptime runtime.nanotime // monotonic
func uptime() int64

//go:linkname ticks runtime.cputicks extra
func ticks() int64
