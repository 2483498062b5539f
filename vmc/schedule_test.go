package vmc

import (
	"math"
	"testing"
)

func TestScheduleFactor(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    Schedule
		t    []int
		want []float64
	}{
		{"zero", Schedule{}, []int{0, 1, 1000}, []float64{1, 1, 1}},
		{"warmup", Schedule{Warmup: 4}, []int{0, 1, 3, 4, 100}, []float64{0.25, 0.5, 1, 1, 1}},
		{"cosine", Schedule{Kind: Cosine, Total: 100, Final: 0.1}, []int{0, 50, 100, 200}, []float64{1, 0.55, 0.1, 0.1}},
		{"cosine+warmup", Schedule{Kind: Cosine, Warmup: 10, Total: 110, Final: 0}, []int{4, 10, 60, 110}, []float64{0.5, 1, 0.5, 0}},
		{"exponential", Schedule{Kind: Exponential, Total: 100, Final: 0.01}, []int{0, 50, 100}, []float64{1, 0.1, 0.01}},
		{"exponential, no span", Schedule{Kind: Exponential, Warmup: 5, Total: 5, Final: 0.5}, []int{5, 6}, []float64{0.5, 0.5}},
	} {
		for k, it := range tc.t {
			if got := tc.s.Factor(it); math.Abs(got-tc.want[k]) > 1e-12 {
				t.Errorf("%s: Factor(%d) = %v, want %v", tc.name, it, got, tc.want[k])
			}
		}
	}
	// The zero schedule is exactly 1: runs without one are bit-identical.
	if f := (Schedule{}).Factor(12345); f != 1 {
		t.Errorf("zero schedule factor %v", f)
	}
	for _, name := range ScheduleNames() {
		k, err := ParseSchedule(name)
		if err != nil || k.String() != name {
			t.Errorf("ParseSchedule(%q) = %v, %v", name, k, err)
		}
	}
	if _, err := ParseSchedule("linear"); err == nil {
		t.Error("ParseSchedule(\"linear\") accepted")
	}
	if (Schedule{Kind: Cosine, Final: 0}).valid() || (Schedule{Kind: Exponential, Final: 2}).valid() || (Schedule{Warmup: -1}).valid() {
		t.Error("invalid schedules accepted")
	}
}

// A learning-rate warm-up over 4 iterations makes the first SR step a
// quarter of the unscheduled one (same samples: exact summation), and an
// explicit constant schedule changes nothing, bit for bit.
func TestDriverSchedule(t *testing.T) {
	first := func(opt DriverOptions) []complex128 {
		op := ring8(t, false)
		psi := newRBM(8, 1, true, 1, 0.05)
		ex, err := NewExact(psi, op, 4, 1)
		if err != nil {
			t.Fatal(err)
		}
		p0 := make([]complex128, psi.NumParams())
		psi.Params(p0)
		d := NewDriver(psi, ex, opt)
		if _, err := d.Step(); err != nil {
			t.Fatal(err)
		}
		p := make([]complex128, psi.NumParams())
		psi.Params(p)
		for k := range p {
			p[k] -= p0[k]
		}
		return p
	}
	base := DriverOptions{Optimizer: SR, LearningRate: 0.05, DiagShift: 0.01}
	plain := first(base)
	c := base
	c.LearningRateSchedule = Schedule{Kind: Constant, Total: 10}
	c.DiagShiftSchedule = Schedule{Kind: Constant}
	same := first(c)
	w := base
	w.LearningRateSchedule = Schedule{Warmup: 4}
	warm := first(w)
	for k := range plain {
		if same[k] != plain[k] {
			t.Fatalf("constant schedule: step %d = %v, without %v", k, same[k], plain[k])
		}
		if d := warm[k] - plain[k]/4; real(d)*real(d)+imag(d)*imag(d) > 1e-30 {
			t.Fatalf("warm-up: step %d = %v, want %v", k, warm[k], plain[k]/4)
		}
	}
}
