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
	return drawPanels(path, format, []*plot.Plot{top, bottom}, 7*vg.Inch)
}

// drawPanels draws the plots stacked vertically, with aligned axes, into
// the image file path of the given format, 8 inches wide and h high.
func drawPanels(path, format string, panels []*plot.Plot, h vg.Length) error {
	c, err := draw.NewFormattedCanvas(8*vg.Inch, h, format)
	if err != nil {
		return fmt.Errorf("runfile: plot %s: %w (use .png, .svg, .pdf, .jpg or .tif)", path, err)
	}
	dc := draw.New(c)
	tiles := draw.Tiles{Rows: len(panels), Cols: 1, PadTop: vg.Points(4), PadBottom: vg.Points(4),
		PadLeft: vg.Points(4), PadRight: vg.Points(10), PadY: vg.Points(10)}
	grid := make([][]*plot.Plot, len(panels))
	for i, p := range panels {
		grid[i] = []*plot.Plot{p}
	}
	canvases := plot.Align(grid, tiles, dc)
	for i, p := range panels {
		p.Draw(canvases[i][0])
	}
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

// PlotDynamics draws the curves of d against time into the image file
// path (format from the extension, as PlotConvergence): one panel for the
// energy and one per observable, each with the VMC estimate ± its error
// and, when the Krylov reference ran, the exact curve dashed.
func PlotDynamics(d *Dynamics, path string) error {
	format := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	if format == "" {
		return fmt.Errorf("runfile: plot %s: no file extension to choose the format (.png, .svg, .pdf, .jpg, .tif)", path)
	}
	if len(d.Time) == 0 {
		return fmt.Errorf("runfile: plot %s: the dynamics has no times", path)
	}
	var panels []*plot.Plot
	for i, c := range append([]Curve{d.Energy}, d.Observables...) {
		p := plot.New()
		if i == 0 {
			p.Title.Text = d.Quench
			if d.Model != d.Quench {
				p.Title.Text = d.Model + "  →  " + d.Quench
			}
		}
		p.X.Label.Text = "time"
		if d.Imaginary {
			p.X.Label.Text = "imaginary time τ"
		}
		p.Y.Label.Text = c.Name
		p.Y.Tick.Marker = ticks{}
		p.Add(plotter.NewGrid())
		_, lo, hi, err := addBand(p, d.Time, c.Mean, c.Error, 0, colEnergy, colBand, "TDVP ± error")
		if err != nil {
			return fmt.Errorf("runfile: plot %s: %s: %w", path, c.Name, err)
		}
		if i == 0 && !d.Imaginary {
			// A conserved energy is drawn on a span of at least 1e-3
			// relative, so that rounding noise does not fill the panel.
			mid := (lo + hi) / 2
			if span := 1e-3 * max(1, math.Abs(mid)); hi-lo < span {
				p.Y.Min, p.Y.Max = mid-span/2, mid+span/2
			}
		}
		if c.Exact != nil {
			pts := make(plotter.XYs, 0, len(c.Exact))
			for k, v := range c.Exact {
				if finite(v) {
					pts = append(pts, plotter.XY{X: d.Time[k], Y: v})
				}
			}
			if len(pts) > 0 {
				l, err := dashed(pts)
				if err != nil {
					return fmt.Errorf("runfile: plot %s: %w", path, err)
				}
				p.Add(l)
				p.Legend.Add("exact (Krylov)", l)
			}
		}
		p.Legend.Top = true
		panels = append(panels, p)
	}
	return drawPanels(path, format, panels, vg.Length(2.6*float64(len(panels))+0.6)*vg.Inch)
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
	xs, ys, es := make([]float64, n), make([]float64, n), make([]float64, n)
	for i, row := range r.Log {
		xs[i], ys[i], es[i] = float64(row.Iteration), row.Energy, row.EnergyError
	}
	// The y range leaves out the first tenth of the run, where the energy
	// is far above the converged value and would flatten the rest.
	line, ymin, ymax, err := addBand(p, xs, ys, es, n/10, colEnergy, colBand, "VMC energy ± error")
	if err != nil {
		return nil, err
	}
	if r.ED != nil && len(r.ED.Energies) > 0 {
		e0 := r.ED.Energies[0]
		ed, err := dashed(plotter.XYs{{X: line[0].X, Y: e0}, {X: line[len(line)-1].X, Y: e0}})
		if err != nil {
			return nil, err
		}
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

// addBand draws ys against xs as a line with the band ys ± es (non-finite
// points skipped, non-finite errors taken as 0) and adds it to the legend.
// It returns the line's points and the y range of the points from index
// from on.
func addBand(p *plot.Plot, xs, ys, es []float64, from int, col, band color.Color, legend string) (plotter.XYs, float64, float64, error) {
	line := make(plotter.XYs, 0, len(xs))
	upper := make(plotter.XYs, 0, len(xs))
	lower := make(plotter.XYs, 0, len(xs))
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for i, x := range xs {
		y, s := ys[i], 0.0
		if es != nil {
			s = es[i]
		}
		if !finite(y) {
			continue
		}
		if !finite(s) {
			s = 0
		}
		line = append(line, plotter.XY{X: x, Y: y})
		upper = append(upper, plotter.XY{X: x, Y: y + s})
		lower = append(lower, plotter.XY{X: x, Y: y - s})
		if i >= from {
			ymin, ymax = math.Min(ymin, y-s), math.Max(ymax, y+s)
		}
	}
	if len(line) == 0 {
		return nil, 0, 0, errors.New("no finite values to draw")
	}
	poly, err := plotter.NewPolygon(append(upper, reverse(lower)...))
	if err != nil {
		return nil, 0, 0, err
	}
	poly.Color = band
	poly.LineStyle.Width = 0
	l, err := plotter.NewLine(line)
	if err != nil {
		return nil, 0, 0, err
	}
	l.Color = col
	l.Width = vg.Points(1.2)
	p.Add(poly, l)
	p.Legend.Add(legend, l, poly)
	return line, ymin, ymax, nil
}

func reverse(xy plotter.XYs) plotter.XYs {
	out := make(plotter.XYs, len(xy))
	for i, v := range xy {
		out[len(xy)-1-i] = v
	}
	return out
}

// dashed returns the dashed reference line through pts.
func dashed(pts plotter.XYs) (*plotter.Line, error) {
	l, err := plotter.NewLine(pts)
	if err != nil {
		return nil, err
	}
	l.Color = colED
	l.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
	l.Width = vg.Points(1.2)
	return l, nil
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
