package report

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

func textStyle(f font.Font, align draw.XAlignment) text.Style {
	return text.Style{Color: colourInk, Font: f, XAlign: align, YAlign: draw.YBottom, Handler: plot.DefaultTextHandler}
}

// swatch is a legend thumbnail: a filled square in a strategy's colour.
type swatch struct{ fill color.RGBA }

func (s swatch) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	side := min(r.Size().X, r.Size().Y) * 0.8
	mid := c.Center()
	box := vg.Rectangle{
		Min: vg.Point{X: mid.X - side/2, Y: mid.Y - side/2},
		Max: vg.Point{X: mid.X + side/2, Y: mid.Y + side/2},
	}
	c.SetColor(s.fill)
	c.Fill(box.Path())
	c.SetLineStyle(draw.LineStyle{Color: outline(s.fill), Width: vg.Points(0.6)})
	c.Stroke(box.Path())
}

// lineThumb is a legend thumbnail for a line, dashed or not.
type lineThumb struct{ style draw.LineStyle }

func (l lineThumb) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(l.style, c.Min.X, y, c.Max.X, y)
}

// glyphThumb is a legend thumbnail for a marker.
type glyphThumb struct{ style draw.GlyphStyle }

func (g glyphThumb) Thumbnail(c *draw.Canvas) { c.DrawGlyph(g.style, c.Center()) }

// strategyLegend lists the strategies present, each with its colour.
func strategyLegend(names []string) []legendItem {
	out := make([]legendItem, len(names))
	for i, n := range names {
		out[i] = legendItem{name: n, thumb: swatch{strategyColour(n)}}
	}
	return out
}

// idealStyle is the dashed black line every "ideal" reference shares.
var idealStyle = draw.LineStyle{Color: colourInk, Width: vg.Points(1.2), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}
