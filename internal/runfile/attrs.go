package runfile

import (
	"fmt"
	"reflect"

	"github.com/vmc-lattice/vmc/internal/h5io"
)

// attr binds an attribute of the layout to the variable that holds its
// value: *string, *int (stored as int64, read back only if ≥ 0), *int64,
// *float64, *bool, or **float64 for an attribute that is absent when nil.
// A nil pointer is neither written nor read. The tables below serve both
// the writer and the reader, so that a name is spelled once.
type attr struct {
	name string
	v    any
}

// metaAttrs binds the root attributes to m, in the order they are written
// (layout_version, which is not in Meta, comes last). created and resumed
// hold the times as RFC 3339 text.
func metaAttrs(m *Meta, runID, created, resumed *string) []attr {
	return []attr{
		{"program", &m.Program}, {"version", &m.Version}, {"commit", &m.Commit}, {"created", created},
		{"config", &m.Config}, {"config_name", &m.ConfigName}, {"units", &m.Units}, {"model", &m.Model},
		{"lattice", &m.Lattice}, {"ansatz", &m.Ansatz}, {"optimizer", &m.Optimizer},
		{"run_id", runID}, {"resumed", resumed},
		{"seed", &m.Seed}, {"resumes", &m.Resumes}, {"n_sites", &m.NSites},
		{"n_parameters", &m.NParameters}, {"n_chains", &m.NChains}, {"n_samples", &m.NSamples},
		{"iterations", &m.Iterations},
	}
}

// edAttrs binds the attributes of /ed to e.
func edAttrs(e *ED) []attr {
	return []attr{{"dimension", &e.Dimension}, {"wall_seconds", &e.WallSeconds}, {"total_sz", &e.TotalSz}}
}

// slotAttrs binds the attributes of a checkpoint slot, but complete and
// burned_in, to ck and sampler ("metropolis" or "exact").
func slotAttrs(ck *Checkpoint, sampler *string) []attr {
	return []attr{
		{"iteration", &ck.Iteration}, {"adam_t", &ck.Driver.AdamT},
		{"shift_boost", &ck.Driver.ShiftBoost}, {"wall_seconds", &ck.WallSeconds}, {"sampler", sampler},
	}
}

// resultAttrs binds the attributes of /result to r.
func resultAttrs(r *Result) []attr {
	return []attr{
		{"energy", &r.Energy}, {"energy_error", &r.EnergyError}, {"energy_imag", &r.EnergyImag},
		{"energy_per_site", &r.EnergyPerSite}, {"variance", &r.Variance}, {"v_score", &r.VScore},
		{"tau_corr", &r.TauCorr}, {"r_hat", &r.RHat},
		{"samples_per_second", &r.SamplesPerSecond}, {"wall_seconds", &r.WallSeconds},
		{"optimization_seconds", &r.OptimizationSeconds}, {"evaluation_seconds", &r.EvaluationSeconds},
		{"ed_seconds", &r.EDSeconds}, {"log_seconds", &r.LogSeconds}, {"checkpoint_seconds", &r.CheckpointSeconds},
		{"companion_seconds", &r.CompanionSeconds},
		{"ed_energy", &r.EDEnergy}, {"relative_error", &r.RelativeError},
		{"iterations", &r.Iterations}, {"evaluation_samples", &r.EvaluationSamples},
	}
}

// setAttrs writes the attributes of obj, in order.
func setAttrs(f *h5io.File, obj string, attrs ...attr) error {
	for _, a := range attrs {
		if reflect.ValueOf(a.v).IsNil() {
			continue
		}
		var err error
		switch v := a.v.(type) {
		case *string:
			err = f.SetAttrString(obj, a.name, *v)
		case *int:
			err = f.SetAttrInt64(obj, a.name, int64(*v))
		case *int64:
			err = f.SetAttrInt64(obj, a.name, *v)
		case *float64:
			err = f.SetAttrFloat64(obj, a.name, *v)
		case *bool:
			err = f.SetAttrBool(obj, a.name, *v)
		case **float64:
			if *v != nil {
				err = f.SetAttrFloat64(obj, a.name, **v)
			}
		default:
			panic(fmt.Sprintf("runfile: attribute %s of type %T", a.name, a.v))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// getAttrs reads the attributes of obj. Each must be there with its type,
// but a **float64 one, which stays nil when absent; an *int one must hold
// a value ≥ 0.
func getAttrs(f *h5io.File, obj string, attrs ...attr) error {
	for _, a := range attrs {
		if reflect.ValueOf(a.v).IsNil() {
			continue
		}
		var err error
		switch v := a.v.(type) {
		case *string:
			*v, err = f.AttrString(obj, a.name)
		case *int:
			var n int64
			if n, err = f.AttrInt64(obj, a.name); err == nil && n < 0 {
				where := obj
				if obj == "/" {
					where = "root"
				}
				err = fmt.Errorf("%s attribute %s = %d, want ≥ 0", where, a.name, n)
			}
			*v = int(n)
		case *int64:
			*v, err = f.AttrInt64(obj, a.name)
		case *float64:
			*v, err = f.AttrFloat64(obj, a.name)
		case *bool:
			*v, err = f.AttrBool(obj, a.name)
		case **float64:
			if f.HasAttr(obj, a.name) {
				var x float64
				x, err = f.AttrFloat64(obj, a.name)
				*v = &x
			}
		default:
			panic(fmt.Sprintf("runfile: attribute %s of type %T", a.name, a.v))
		}
		if err != nil {
			return err
		}
	}
	return nil
}
