package ansatz_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/lattice"
)

// A real feed-forward network with an amplitude and a phase head: log ψ is
// complex although every parameter is real. The cache prices a move from
// the first layer's pre-activations.
func ExampleFFNN() {
	act, err := ansatz.ParseActivation("tanh")
	if err != nil {
		panic(err)
	}
	f := ansatz.NewFFNN(6, []int{8, 4}, act, false)
	f.InitRandom(rand.New(rand.NewPCG(1, 2)), 1)
	fmt.Println(f)

	x := []int8{1, -1, 1, -1, 1, -1}
	c := f.NewCache(x)
	move := []int{2, 3}
	fmt.Printf("cached       %.6f\n", c.LogRatio(move))
	fmt.Printf("from scratch %.6f\n", f.LogPsi([]int8{1, -1, -1, 1, 1, -1})-f.LogPsi(x))
	c.Accept(move)

	o := make([]complex128, f.NumParams())
	c.LogDeriv(o)
	fmt.Printf("∂/∂v^a_0 = %.6f, ∂/∂v^φ_0 = %.6f\n", o[len(o)-8], o[len(o)-4])
	// Output:
	// FFNN(N=6, layers=[8 4], tanh, real, amplitude and phase heads, 100 params)
	// cached       (-0.049507-0.048500i)
	// from scratch (-0.049507-0.048500i)
	// ∂/∂v^a_0 = (-0.992902+0.000000i), ∂/∂v^φ_0 = (0.000000-0.992902i)
}

// The translation-symmetric RBM on a periodic chain: one filter per alpha,
// one hidden unit per filter and translation, and the same log ψ for every
// translate of a configuration.
func ExampleSymmRBM() {
	chain, err := lattice.New(lattice.Chain, []int{8}, []bool{true})
	if err != nil {
		panic(err)
	}
	group := chain.Translations()
	s := ansatz.NewSymmRBM(group, 2, true, false)
	s.InitRandom(rand.New(rand.NewPCG(3, 4)), 0.2)
	fmt.Println(s)
	fmt.Println("hidden units:", s.NumHidden())

	x := []int8{1, 1, -1, 1, -1, -1, 1, -1}
	for _, g := range []int{0, 3} {
		xt := make([]int8, len(x))
		for i, k := range group[g] {
			xt[i] = x[k]
		}
		fmt.Printf("translation %d: %v log ψ = %.6f\n", g, xt, s.LogPsi(xt))
	}
	// Output:
	// SymmRBM(N=8, |G|=8, alpha=2, complex, 19 params)
	// hidden units: 16
	// translation 0: [1 1 -1 1 -1 -1 1 -1] log ψ = (-1.044700+1.074468i)
	// translation 3: [1 -1 -1 1 -1 1 1 -1] log ψ = (-1.044700+1.074468i)
}

// A Jastrow wavefunction with a one-body term; its cache prices a move in
// O(flips²) from the local fields.
func ExampleJastrow() {
	m := ansatz.NewJastrow(4, true, true)
	m.InitRandom(rand.New(rand.NewPCG(5, 6)), 0.3)
	fmt.Println(m)
	x := []int8{1, -1, 1, -1}
	c := m.NewCache(x)
	fmt.Printf("cached       %.6f\n", c.LogRatio([]int{0, 1}))
	fmt.Printf("from scratch %.6f\n", m.LogPsi([]int8{-1, 1, 1, -1})-m.LogPsi(x))
	// Output:
	// Jastrow(N=4, complex, with field, 10 params)
	// cached       (-1.961940-1.264686i)
	// from scratch (-1.961940-1.264686i)
}

// Activation names come from the configuration; an unknown one is an
// error that lists the accepted names.
func ExampleParseActivation() {
	for _, name := range []string{"softplus", "relu"} {
		a, err := ansatz.ParseActivation(name)
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Println("parsed:", a)
	}
	// Output:
	// parsed: softplus
	// error: ansatz: unknown activation "relu" (want one of lncosh, tanh, softplus)
}
