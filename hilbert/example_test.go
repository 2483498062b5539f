package hilbert_test

import (
	"fmt"
	"log"

	"github.com/vmc-lattice/vmc/hilbert"
)

// A sector is enumerated in increasing order without being stored; a Basis
// stores it and ranks states in O(1).
func ExampleSpace() {
	sp, err := hilbert.NewSpace(4, 2) // 4 sites, 2 up: S^z = 0
	if err != nil {
		log.Fatal(err)
	}
	x := make([]int8, 4)
	for k, v := range sp.All() {
		hilbert.StateToConfig(v, x)
		fmt.Printf("%d %04b %v\n", k, v, x)
	}
	b, err := hilbert.NewBasis(4, 2)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(b.Index(0b0110), b.Index(0b0111), sp.Dim())
	// Output:
	// 0 0011 [1 1 -1 -1]
	// 1 0101 [1 -1 1 -1]
	// 2 0110 [-1 1 1 -1]
	// 3 1001 [1 -1 -1 1]
	// 4 1010 [-1 1 -1 1]
	// 5 1100 [-1 -1 1 1]
	// 2 -1 6
}
