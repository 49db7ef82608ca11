package typos

import _ "unsafe"

//go:linkname a runtim.nanotime
func a() int64

//go:linkname b runtime.nanotim
func b() int64

//go:linkname c runtime.xyzzy
func c()

//go:linkname d github.com/not/required.fn
func d()

//go:linkname counter runtime.notAVariable
var counter int
