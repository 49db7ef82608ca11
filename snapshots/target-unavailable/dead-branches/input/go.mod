module example.com/dead

go 1.21
