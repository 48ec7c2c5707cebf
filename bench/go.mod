module github.com/sharc-go/sharc/bench

go 1.26.0

require github.com/sharc-go/sharc v0.0.0

require (
	github.com/klauspost/cpuid/v2 v2.4.2 // indirect
	golang.org/x/sys v0.50.0 // indirect
)

replace github.com/sharc-go/sharc => ../
