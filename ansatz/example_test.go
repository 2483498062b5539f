package ansatz_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/vmc-lattice/vmc/ansatz"
)

// A cache tracks one Markov chain: LogRatio prices a move without changing
// the state, Accept makes it.
func ExampleRBM() {
	rbm := ansatz.NewRBM(4, 2, true) // N = 4 spins, M = 8 hidden units, complex
	rbm.InitRandom(rand.New(rand.NewPCG(1, 2)), 0.1)
	fmt.Println("parameters:", rbm.NumParams())

	x := []int8{1, -1, 1, -1}
	c := rbm.NewCache(x)
	move := []int{0, 1} // exchange the spins at sites 0 and 1
	r := c.LogRatio(move)
	fmt.Printf("log ψ(x')−log ψ(x) = %.6f\n", r)

	c.Accept(move)
	fmt.Println("x' =", c.Config())
	fresh := rbm.LogPsi([]int8{-1, 1, 1, -1}) - rbm.LogPsi(x)
	fmt.Printf("from scratch       = %.6f\n", fresh)

	o := make([]complex128, rbm.NumParams())
	c.LogDeriv(o)
	fmt.Printf("O_a0 = %.0f, O_b0 = %.6f\n", o[0], o[4])
	// Output:
	// parameters: 44
	// log ψ(x')−log ψ(x) = (0.485199-0.311209i)
	// x' = [-1 1 1 -1]
	// from scratch       = (0.485199-0.311209i)
	// O_a0 = (-1+0i), O_b0 = (0.078607-0.141967i)
}
