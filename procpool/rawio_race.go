//go:build race

package procpool

// raceBuild: the race detector sees what a system call reads and writes
// only through the syscall package's annotations, which raw calls skip;
// under it, the pool's pipe I/O takes the ordinary calls (rawio.go).
const raceBuild = true
