package ed

import (
	"slices"
	"testing"
)

func TestMergeRow(t *testing.T) {
	for k, tc := range []struct {
		col     []int32
		val     []float64
		wantCol []int32
		wantVal []float64
	}{
		{nil, nil, nil, nil},
		{[]int32{1, 2, 5}, []float64{1, 2, 3}, []int32{1, 2, 5}, []float64{1, 2, 3}},
		{[]int32{1, 1, 2, 5, 5, 5}, []float64{1, 2, 2, 1, 1, 1}, []int32{1, 2, 5}, []float64{3, 2, 3}},
		// Zeros, given or summed, are dropped wherever they stand.
		{[]int32{0, 3, 3, 4}, []float64{0, 1, -1, 2}, []int32{4}, []float64{2}},
		{[]int32{2, 7, 7}, []float64{5, 0.5, -0.5}, []int32{2}, []float64{5}},
		{[]int32{1, 1}, []float64{1, -1}, []int32{}, []float64{}},
	} {
		// A prefix before start must be left alone.
		col := append([]int32{9}, tc.col...)
		val := append([]float64{9}, tc.val...)
		col, val = mergeRow(col, val, 1)
		if col[0] != 9 || val[0] != 9 || !slices.Equal(col[1:], tc.wantCol) && len(tc.wantCol)+len(col[1:]) > 0 || !slices.Equal(val[1:], tc.wantVal) && len(tc.wantVal)+len(val[1:]) > 0 {
			t.Errorf("case %d: got %v %v, want %v %v", k, col, val, tc.wantCol, tc.wantVal)
		}
	}
}
