package main

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"reflect"
	"strings"
)

// writeJSON prints v as one JSON object and a newline. Non-finite numbers
// (NaN, ±Inf: an undefined error bar, a zero-variance state's V-score),
// which JSON cannot encode, are printed as null wherever they are, so that
// --json always prints its object (docs/cli.md).
func writeJSON(w io.Writer, v any) error {
	b, err := json.Marshal(finiteJSON(reflect.ValueOf(v)))
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// finiteJSON returns a value that encoding/json encodes as it would encode
// v, with every non-finite float replaced by null. Struct fields keep their
// order, names and omitempty.
func finiteJSON(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Invalid:
		return nil
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil
		}
		return f
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return finiteJSON(v.Elem())
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		fallthrough
	case reflect.Array:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = finiteJSON(v.Index(i))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		out := make(map[string]any, v.Len())
		it := v.MapRange()
		for it.Next() {
			out[it.Key().String()] = finiteJSON(it.Value())
		}
		return out
	case reflect.Struct:
		var obj orderedObject
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			fv := v.Field(i)
			if f.Anonymous && f.Tag.Get("json") == "" {
				// An embedded struct's members are the object's own, as
				// in encoding/json.
				if inner, ok := finiteJSON(fv).(orderedObject); ok {
					obj = append(obj, inner...)
				}
				continue
			}
			if strings.Contains(opts, "omitempty") && fv.IsZero() || strings.Contains(opts, "omitempty") && (fv.Kind() == reflect.Slice || fv.Kind() == reflect.Map) && fv.Len() == 0 {
				continue
			}
			obj = append(obj, member{name, finiteJSON(fv)})
		}
		return obj
	}
	return v.Interface()
}

type member struct {
	name  string
	value any
}

// orderedObject is a JSON object whose members keep their order.
type orderedObject []member

func (o orderedObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.name)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(m.value)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
