package runfile

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	_ "gonum.org/v1/plot/vg/vgimg" // png, jpg, tif
	_ "gonum.org/v1/plot/vg/vgpdf" // pdf
	_ "gonum.org/v1/plot/vg/vgsvg" // svg
)

var (
	colEnergy = color.NRGBA{R: 31, G: 119, B: 180, A: 255}
	colBand   = color.NRGBA{R: 31, G: 119, B: 180, A: 80}
	colED     = color.NRGBA{R: 214, G: 39, B: 40, A: 255}
)

// ticks are gonum's default tick positions with labels precise enough to
// tell neighbouring ticks apart (DefaultTicks prints -6.95 and -7 as "-7").
type ticks struct{}

func (ticks) Ticks(lo, hi float64) []plot.Tick {
	t := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range t {
		if t[i].Label != "" {
			t[i].Label = strconv.FormatFloat(t[i].Value, 'g', 8, 64)
		}
	}
	return t
}

// PlotConvergence draws the energy convergence of r into the image file
// path, whose extension chooses the format (.png, .svg, .pdf, .jpg, .tif).
// The top panel shows the energy per iteration with its error band
// (E ± error) and the exact ground-state energy when ED ran; the bottom one
// the relative error |E − E_ED|/|E_ED| on a logarithmic axis, or the
// variance of the local energy when there is no ED energy.
func PlotConvergence(r *Run, path string) error {
	if len(r.Log) == 0 {
		return fmt.Errorf("runfile: plot %s: the log has no iterations", path)
	}
	format := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	if format == "" {
		return fmt.Errorf("runfile: plot %s: no file extension to choose the format (.png, .svg, .pdf, .jpg, .tif)", path)
	}
	top, err := energyPanel(r)
	if err != nil {
		return fmt.Errorf("runfile: plot %s: %w", path, err)
	}
	bottom, err := secondPanel(r)
	if err != nil {
		return fmt.Errorf("runfile: plot %s: %w", path, err)
	}
	const w, h = 8 * vg.Inch, 7 * vg.Inch
	c, err := draw.NewFormattedCanvas(w, h, format)
	if err != nil {
		return fmt.Errorf("runfile: plot %s: %w (use .png, .svg, .pdf, .jpg or .tif)", path, err)
	}
	dc := draw.New(c)
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadTop: vg.Points(4), PadBottom: vg.Points(4),
		PadLeft: vg.Points(4), PadRight: vg.Points(10), PadY: vg.Points(10)}
	canvases := plot.Align([][]*plot.Plot{{top}, {bottom}}, tiles, dc)
	top.Draw(canvases[0][0])
	bottom.Draw(canvases[1][0])
	out, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("runfile: plot: %w", err)
	}
	_, werr := c.WriteTo(out)
	if err := errors.Join(werr, out.Close()); err != nil {
		return fmt.Errorf("runfile: plot %s: %w", path, err)
	}
	return nil
}

func energyPanel(r *Run) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = r.Meta.Model
	if r.Meta.Lattice != "" {
		p.Title.Text += "\n" + r.Meta.Lattice
	}
	p.X.Label.Text = "iteration"
	p.Y.Label.Text = fmt.Sprintf("energy (%s units)", r.Meta.Units)
	p.Y.Tick.Marker = ticks{}
	p.Add(plotter.NewGrid())
	n := len(r.Log)
	line := make(plotter.XYs, 0, n)
	upper := make(plotter.XYs, 0, n)
	lower := make(plotter.XYs, 0, n)
	// The y range leaves out the first tenth of the run, where the energy
	// is far above the converged value and would flatten the rest.
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for i, row := range r.Log {
		x, e, s := float64(row.Iteration), row.Energy, row.EnergyError
		if !finite(e) {
			continue
		}
		if !finite(s) {
			s = 0
		}
		line = append(line, plotter.XY{X: x, Y: e})
		upper = append(upper, plotter.XY{X: x, Y: e + s})
		lower = append(lower, plotter.XY{X: x, Y: e - s})
		if i >= n/10 {
			ymin, ymax = math.Min(ymin, e-s), math.Max(ymax, e+s)
		}
	}
	if len(line) == 0 {
		return nil, errors.New("no finite energies in the log")
	}
	band := make(plotter.XYs, 0, 2*len(line))
	band = append(band, upper...)
	for i := len(lower) - 1; i >= 0; i-- {
		band = append(band, lower[i])
	}
	poly, err := plotter.NewPolygon(band)
	if err != nil {
		return nil, err
	}
	poly.Color = colBand
	poly.LineStyle.Width = 0
	l, err := plotter.NewLine(line)
	if err != nil {
		return nil, err
	}
	l.Color = colEnergy
	l.Width = vg.Points(1.2)
	p.Add(poly, l)
	p.Legend.Add("VMC energy ± error", l, poly)
	if r.ED != nil && len(r.ED.Energies) > 0 {
		e0 := r.ED.Energies[0]
		ed, err := plotter.NewLine(plotter.XYs{{X: line[0].X, Y: e0}, {X: line[len(line)-1].X, Y: e0}})
		if err != nil {
			return nil, err
		}
		ed.Color = colED
		ed.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
		ed.Width = vg.Points(1.2)
		p.Add(ed)
		p.Legend.Add(fmt.Sprintf("exact E0 = %.8g", e0), ed)
		ymin, ymax = math.Min(ymin, e0), math.Max(ymax, e0)
	}
	if finite(ymin) && finite(ymax) && ymax > ymin {
		pad := 0.05 * (ymax - ymin)
		p.Y.Min, p.Y.Max = ymin-pad, ymax+pad
	}
	p.Legend.Top = true
	return p, nil
}

func secondPanel(r *Run) (*plot.Plot, error) {
	p := plot.New()
	p.X.Label.Text = "iteration"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Add(plotter.NewGrid())
	var pts plotter.XYs
	var name string
	if r.ED != nil && len(r.ED.Energies) > 0 && r.ED.Energies[0] != 0 {
		e0 := r.ED.Energies[0]
		p.Y.Label.Text = "|E − E0| / |E0|"
		name = "relative error"
		for _, row := range r.Log {
			if v := math.Abs(row.Energy-e0) / math.Abs(e0); finite(v) && v > 0 {
				pts = append(pts, plotter.XY{X: float64(row.Iteration), Y: v})
			}
		}
	} else {
		p.Y.Label.Text = fmt.Sprintf("variance of E_loc (%s units²)", r.Meta.Units)
		name = "variance"
		for _, row := range r.Log {
			if v := row.Variance; finite(v) && v > 0 {
				pts = append(pts, plotter.XY{X: float64(row.Iteration), Y: v})
			}
		}
	}
	if len(pts) == 0 {
		// Nothing positive to show on a log axis: an empty panel.
		p.Y.Scale, p.Y.Tick.Marker = plot.LinearScale{}, plot.DefaultTicks{}
		p.Y.Label.Text += " (no positive values)"
		return p, nil
	}
	l, err := plotter.NewLine(pts)
	if err != nil {
		return nil, err
	}
	l.Color = colEnergy
	l.Width = vg.Points(1.2)
	p.Add(l)
	p.Legend.Add(name, l)
	p.Legend.Top = true
	// Whole decades, so that LogTicks has labels to draw.
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, q := range pts {
		lo, hi = math.Min(lo, q.Y), math.Max(hi, q.Y)
	}
	p.Y.Min = math.Pow(10, math.Floor(math.Log10(lo)))
	p.Y.Max = math.Pow(10, math.Ceil(math.Log10(hi)))
	if p.Y.Max <= p.Y.Min {
		p.Y.Max = 10 * p.Y.Min
	}
	return p, nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
