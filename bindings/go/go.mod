module github.com/toz-dev/toz/bindings/go

go 1.21
