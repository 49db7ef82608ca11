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

// Use calls two of them; c and d are called nowhere yet.
func Use() int64 { return a() + b() }

// An optional hook a build tool may define (DataDog's orchestrion): zero when nothing does.
//
//go:linkname glsGet __gls_get.V2
var glsGet func() any
