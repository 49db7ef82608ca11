module example.com/linkname-hazards

go 1.21
