//go:build !race

package procpool

const raceBuild = false // see rawio_race.go
