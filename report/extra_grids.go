package report

import (
	"sort"
	"strings"

	"github.com/poolbench/poolbench/results"
)

func sortStrings(s []string) { sort.Strings(s) }

// loggingGrid is the shared-log experiment: how fast each mode wrote and what
// survived in the file.
func loggingGrid(run *results.Run) (grid, bool) {
	if len(run.Logging) == 0 {
		return grid{}, false
	}
	g := grid{
		Title:   "shared log file: " + plural(len(run.Logging), "mode"),
		Headers: []string{"mode", "writers", "records/s", "intact", "torn", "lost", "duplicated", "note"},
		Numeric: []bool{false, true, true, true, true, true, true, false},
	}
	for _, m := range run.Logging {
		g.Rows = append(g.Rows, []string{
			m.Mode, itoa(m.Writers), rate(m.RecordsPerSecond),
			itoa(m.RecordsIntact) + "/" + itoa(m.RecordsExpected),
			itoa(m.RecordsTorn), itoa(m.RecordsLost), itoa(m.RecordsDuplicated), m.Note,
		})
	}
	return g, true
}

// claimsGrid is the article's claims with what this machine measured.
func claimsGrid(run *results.Run) (grid, bool) {
	if len(run.Claims) == 0 {
		return grid{}, false
	}
	g := grid{
		Title:   "the article's claims, on this machine",
		Headers: []string{"#", "claim", "figures", "verdict"},
		Numeric: []bool{true, false, false, false},
	}
	for _, c := range run.Claims {
		figures := c.Figures
		if len(c.Caveats) > 0 {
			figures += ". Caveats: " + strings.Join(c.Caveats, "; ")
		}
		g.Rows = append(g.Rows, []string{itoa(c.ID), c.Statement, figures, c.Verdict})
	}
	return g, true
}
