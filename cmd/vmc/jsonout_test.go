package main

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

// writeJSON encodes like encoding/json (field order, names, omitempty,
// pointers, slices, maps) and prints non-finite numbers as null.
func TestWriteJSON(t *testing.T) {
	type inner struct {
		A float64 `json:"a"`
	}
	one := 1.5
	nan := math.NaN()
	v := struct {
		X      float64            `json:"x"`
		Y      float64            `json:"y"`
		P      *float64           `json:"p"`
		Q      *float64           `json:"q"`
		Nil    *float64           `json:"nil"`
		S      []float64          `json:"s"`
		M      map[string]inner   `json:"m,omitempty"`
		Empty  map[string]float64 `json:"empty,omitempty"`
		Omit   int                `json:"omit,omitempty"`
		Str    string             `json:"str"`
		Arr    [2]float64         `json:"arr"`
		hidden int
	}{X: 2, Y: math.Inf(1), P: &one, Q: &nan, S: []float64{1, math.NaN()}, M: map[string]inner{"k": {A: math.Inf(-1)}}, Str: "é", Arr: [2]float64{nan, 3}}
	var b bytes.Buffer
	if err := writeJSON(&b, v); err != nil {
		t.Fatal(err)
	}
	want := `{"x":2,"y":null,"p":1.5,"q":null,"nil":null,"s":[1,null],"m":{"k":{"a":null}},"str":"é","arr":[null,3]}` + "\n"
	if b.String() != want {
		t.Errorf("got  %s\nwant %s", b.String(), want)
	}
	// Finite values encode exactly as encoding/json does.
	f := struct {
		A float64   `json:"a"`
		B []float64 `json:"b"`
		C *int      `json:"c"`
	}{A: 0.1, B: []float64{1e-300, 123456789.125}}
	b.Reset()
	if err := writeJSON(&b, f); err != nil {
		t.Fatal(err)
	}
	std, _ := json.Marshal(f)
	if b.String() != string(std)+"\n" {
		t.Errorf("got %s, encoding/json %s", b.String(), std)
	}
}
