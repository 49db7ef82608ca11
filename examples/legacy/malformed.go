// Shows LN004 (malformed-directive): every release rejects these two lines with "usage:
// //go:linkname localname [linkname]", and no fix is offered.  The ignore constraint keeps
// the file out of the example module's build, so the rest of it builds once fixed.

//go:build ignore

package legacy

import _ "unsafe"

//go:linkname uptime runtime.nanotime // monotonic
func uptime() int64

//go:linkname ticks runtime.cputicks extra
func ticks() int64
