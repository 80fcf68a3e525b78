// Package report renders a results.Run for people and for tools: a terminal
// table, Markdown for a pull request, CSV and JSON for scripts, Go benchmark
// lines for benchstat, PNG charts, one self-contained HTML page, and the
// comparison of two runs.
//
// Every writer is a plain function of (io.Writer, *results.Run) error, in the
// manner of vegeta's reporters, so that the command line picks one by name
// (see Writer) and a Go program can call it directly. Nothing here prints,
// exits, or invents a figure: what a report shows comes from the Run, and a
// chart or a column with no data behind it is left out rather than drawn
// empty.
package report
