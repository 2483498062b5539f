package vmc

import (
	"fmt"
	"math"
	"strings"
)

// ScheduleKind selects the decay of a Schedule after its warm-up.
type ScheduleKind int

// The decays of a Schedule. The zero value is Constant.
const (
	Constant ScheduleKind = iota
	Cosine
	Exponential
)

var scheduleNames = [...]string{Constant: "constant", Cosine: "cosine", Exponential: "exponential"}

// ScheduleNames returns the names ParseSchedule accepts.
func ScheduleNames() []string { return append([]string(nil), scheduleNames[:]...) }

// String returns the name of the kind.
func (k ScheduleKind) String() string {
	if k >= 0 && int(k) < len(scheduleNames) {
		return scheduleNames[k]
	}
	return fmt.Sprintf("ScheduleKind(%d)", int(k))
}

// ParseSchedule returns the kind named "constant", "cosine" or
// "exponential".
func ParseSchedule(name string) (ScheduleKind, error) {
	for k, s := range scheduleNames {
		if s == name {
			return ScheduleKind(k), nil
		}
	}
	return 0, fmt.Errorf("vmc: unknown schedule %q (want one of %s)", name, strings.Join(scheduleNames[:], ", "))
}

// Schedule is a factor f(t) ∈ (0, 1] that multiplies a step size or a
// diagonal shift at iteration t = 0, 1, …: a linear warm-up over the first
// Warmup iterations, then a decay from 1 to Final over the remaining
// iterations up to Total,
//
//	f(t) = (t+1)/Warmup                                  t < Warmup
//	f(t) = 1                                             Constant
//	f(t) = Final + (1 − Final)·(1 + cos πs)/2            Cosine
//	f(t) = Final^s                                       Exponential
//
// with s = min(1, (t − Warmup)/(Total − Warmup)) (s = 1 when Total ≤
// Warmup). The zero Schedule is the constant 1, exactly: a run without a
// schedule is unchanged bit for bit.
type Schedule struct {
	Kind   ScheduleKind
	Warmup int     // iterations of linear warm-up, 0: none
	Total  int     // iteration at which the decay reaches Final
	Final  float64 // factor at the end of the decay, in (0, 1]
}

// Factor returns f(t).
func (s Schedule) Factor(t int) float64 {
	if t < s.Warmup {
		return float64(t+1) / float64(s.Warmup)
	}
	if s.Kind == Constant {
		return 1
	}
	x := 1.0
	if span := s.Total - s.Warmup; span > 0 {
		x = math.Min(1, float64(t-s.Warmup)/float64(span))
	}
	switch s.Kind {
	case Cosine:
		return s.Final + (1-s.Final)*0.5*(1+math.Cos(math.Pi*x))
	case Exponential:
		return math.Pow(s.Final, x)
	}
	return 1
}

// valid reports whether the schedule's fields are in range.
func (s Schedule) valid() bool {
	if s.Warmup < 0 || s.Kind < 0 || int(s.Kind) >= len(scheduleNames) {
		return false
	}
	return s.Kind == Constant || s.Final > 0 && s.Final <= 1
}
