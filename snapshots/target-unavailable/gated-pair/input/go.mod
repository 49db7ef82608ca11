module example.com/roll

go 1.21
