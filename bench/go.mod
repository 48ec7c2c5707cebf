module github.com/sharc-go/sharc/bench

go 1.26.0

require github.com/sharc-go/sharc v0.0.0

replace github.com/sharc-go/sharc => ../
