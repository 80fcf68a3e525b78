package report

import (
	"hash/fnv"
	"image/color"
)

// strategyColours gives every known strategy one colour for every chart and
// every run, from the Okabe-Ito palette, which stays distinguishable under
// the common forms of colour blindness. Related strategies get related hues:
// the goroutine family blues and purple, the process pools warm colours,
// CPython's strategies muted ones.
var strategyColours = map[string]color.RGBA{
	"serial":           rgb(0x4D, 0x4D, 0x4D), // dark grey: the baseline
	"goroutines":       rgb(0x00, 0x72, 0xB2), // blue
	"goroutine-pool":   rgb(0x56, 0xB4, 0xE9), // sky blue
	"goroutines-1cpu":  rgb(0xCC, 0x79, 0xA7), // reddish purple
	"process-per-task": rgb(0xD5, 0x5E, 0x00), // vermillion
	"pool-apply":       rgb(0xF0, 0xE4, 0x42), // yellow
	"pool-apply-async": rgb(0xE6, 0x9F, 0x00), // orange
	"pool-map":         rgb(0x00, 0x9E, 0x73), // bluish green
	// CPython's own, from Paul Tol's muted scheme: a family of their own.
	"py-serial":           rgb(0x88, 0x88, 0x88), // grey: their baseline
	"py-threads":          rgb(0x33, 0x22, 0x88), // indigo
	"py-process-per-task": rgb(0x88, 0x22, 0x55), // wine
	"py-pool-apply":       rgb(0xDD, 0xCC, 0x77), // sand
	"py-pool-apply-async": rgb(0xCC, 0x66, 0x77), // rose
	"py-pool-map":         rgb(0x11, 0x77, 0x33), // green
}

// extraColours serve strategies this build does not know, from Paul Tol's
// muted scheme (also colour-blind safe). A strategy's colour comes from a
// hash of its name, so it is the same in every chart and every run.
var extraColours = []color.RGBA{
	rgb(0x33, 0x22, 0x88), rgb(0x88, 0xCC, 0xEE), rgb(0x44, 0xAA, 0x99), rgb(0x11, 0x77, 0x33),
	rgb(0x99, 0x99, 0x33), rgb(0xDD, 0xCC, 0x77), rgb(0x88, 0x22, 0x55), rgb(0xAA, 0x44, 0x99),
}

// Fixed colours for the parts of the logging experiment.
var (
	colourTorn       = rgb(0xE6, 0x9F, 0x00)
	colourLost       = rgb(0xD5, 0x5E, 0x00)
	colourDuplicated = rgb(0xCC, 0x79, 0xA7)
	colourNeutral    = rgb(0x00, 0x72, 0xB2)
	colourInk        = rgb(0x22, 0x22, 0x22)
	colourGrid       = rgb(0xE4, 0xE4, 0xE4)
)

func rgb(r, g, b uint8) color.RGBA { return color.RGBA{R: r, G: g, B: b, A: 0xFF} }

// strategyColour returns the colour of a strategy.
func strategyColour(name string) color.RGBA {
	if c, ok := strategyColours[name]; ok {
		return c
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	return extraColours[h.Sum32()%uint32(len(extraColours))]
}

// outline darkens a fill colour for the edge of a bar, so that light fills
// such as yellow still show against white.
func outline(c color.RGBA) color.RGBA {
	return color.RGBA{R: c.R / 2, G: c.G / 2, B: c.B / 2, A: 0xFF}
}
