// Package measure samples a process tree while it runs and reads what the
// kernel accounted to it when it ends. It knows nothing of strategies: give
// it a pid.
//
// Start samples the tree rooted at a pid (the process and every descendant,
// including workers that come and go) every interval until Stop:
//
//	s, err := measure.Start(cmd.Process.Pid, 0) // 0: DefaultInterval, 10 ms
//	...
//	err = cmd.Wait()
//	rep := s.Stop() // safe once the process has exited or been reaped
//	usage := measure.Rusage(cmd.ProcessState)
//
// What the figures mean:
//
//   - RSS is summed over the tree's live processes. A page shared by several
//     processes (a heap inherited through fork, the same binary's text)
//     counts once per process: it is the cost a user adds up in top, and it
//     overstates what the tree uses. For poolbench's workers, exec'd Go
//     programs, the shared text is most of each one's RSS (about 11 of 13
//     MiB), so the sum over a hundred workers is several times too large.
//   - PSS is summed over the same processes: each shared page is split
//     between the processes mapping it, so the binary's text counts about
//     once. It is exact where smaps_rollup is read and carried by statm in
//     between (see pss_linux.go); it is the figure to report.
//   - Cgroup gives the kernel's own account of a tree started in a memory
//     cgroup of its own, the independent check of both.
//   - The process count is the live processes in the tree, the root
//     included; exited but unreaped (zombie) processes are not counted.
//   - CPU percent is of one core (200% is two cores busy), averaged over the
//     window since the previous CPU reading (see cpuWindow). The kernel
//     counts CPU time in 10 ms ticks, so short windows are coarse. CPU of a
//     process that exits between two readings is not lost when a process in
//     the tree reaps it (see cpuBook), and the figure is never negative.
//   - Report.CPUSeconds is the tree's CPU while sampled as the samples saw
//     it; Rusage gives the exact figure of a reaped process, its waited-for
//     descendants included.
//   - The series is thinned to at most MaxPoints points by merging buckets:
//     peaks of RSS, PSS and process count are kept, CPU is averaged.
//
// On Linux the tree is read from /proc directly, with files kept open and
// re-read, because that is what keeps one sample of 100 processes under
// 100 us (see procReader and BenchmarkSampleTree100). Elsewhere it is read
// through gopsutil, which costs milliseconds per sample.
//
// HostInfo describes the machine for a results file; UsableCPUs and
// BusyCPUSeconds tell how much of it a trial may use and how busy the rest
// of it was.
package measure
