"""gofix-linkname: find and fix hazardous //go:linkname use in Go code."""

__version__ = "0.1.0"
