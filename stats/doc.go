// Package stats is the one place poolbench's derived figures are computed:
// summaries over repeats, the ideal time a strategy's concurrency allows,
// speedup, efficiency, throughput and the significance of a change between
// two runs. The harness writes what it computes into results.json once;
// reports, claims and compare only read the stored figures.
//
// Its statistics are benchstat's own (golang.org/x/perf/benchmath): the
// median with a distribution-free confidence interval, and the Mann-Whitney
// U-test with its "~" for a change that is not significant, so that
// poolbench compare and benchstat agree on the same samples.
package stats
