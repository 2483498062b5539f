package ansatz

import (
	"fmt"
	"math"
	"strings"
)

// Activation is the nonlinearity σ applied elementwise to the
// pre-activations of every hidden layer of an FFNN. All three are smooth,
// vanish at zero and have a complex-analytic extension, so they serve both
// the real and the holomorphic networks:
//
//	lncosh    σ(z) = log cosh z,                       σ'(z) = tanh z
//	tanh      σ(z) = tanh z,                           σ'(z) = 1 − tanh² z
//	softplus  σ(z) = log((1+eᶻ)/2) = z/2 + log cosh(z/2), σ'(z) = (1 + tanh(z/2))/2
//
// lncosh is even and grows like |z| (a smooth |z|, the RBM's nonlinearity);
// tanh is odd and bounded for real arguments; softplus is the smooth ReLU,
// shifted by −ln 2 so that σ(0) = 0 (the shift is a constant per unit and
// is absorbed by the next layer's biases). For complex arguments lncosh and
// softplus have branch points where cosh vanishes (z = iπ/2 + ikπ for
// lncosh, z = iπ + 2ikπ for softplus); tanh has poles there but no branch
// cuts. See FFNN for what the cuts mean in a deep complex network.
type Activation int

// The activations of an FFNN. The zero value is LnCosh.
const (
	LnCosh Activation = iota
	Tanh
	Softplus
)

var activationNames = [...]string{LnCosh: "lncosh", Tanh: "tanh", Softplus: "softplus"}

// ActivationNames returns the names accepted by ParseActivation, in the
// order of the Activation constants.
func ActivationNames() []string { return append([]string(nil), activationNames[:]...) }

// String returns the name of the activation as accepted by ParseActivation.
func (a Activation) String() string {
	if a.valid() {
		return activationNames[a]
	}
	return fmt.Sprintf("Activation(%d)", int(a))
}

func (a Activation) valid() bool { return a >= 0 && int(a) < len(activationNames) }

// ParseActivation returns the activation with the given name: "lncosh",
// "tanh" or "softplus". Names are matched exactly (lower case); an unknown
// name is an error that lists the accepted ones.
func ParseActivation(name string) (Activation, error) {
	for a, s := range activationNames {
		if name == s {
			return Activation(a), nil
		}
	}
	return 0, fmt.Errorf("ansatz: unknown activation %q (want one of %s)", name, strings.Join(activationNames[:], ", "))
}

// applyC writes σ(z[k]) into h[k]; h may be z.
func (a Activation) applyC(z, h []complex128) {
	h = h[:len(z)]
	switch a {
	case LnCosh:
		for k, v := range z {
			h[k] = lncosh(v)
		}
	case Tanh:
		for k, v := range z {
			h[k] = tanhC(v)
		}
	case Softplus:
		for k, v := range z {
			u := complex(0.5*real(v), 0.5*imag(v))
			h[k] = u + lncosh(u)
		}
	}
}

// derivC writes σ'(z[k]) into d[k]; d may be z.
func (a Activation) derivC(z, d []complex128) {
	d = d[:len(z)]
	switch a {
	case LnCosh:
		for k, v := range z {
			d[k] = tanhC(v)
		}
	case Tanh:
		for k, v := range z {
			t := tanhC(v)
			d[k] = 1 - t*t
		}
	case Softplus:
		for k, v := range z {
			t := tanhC(complex(0.5*real(v), 0.5*imag(v)))
			d[k] = complex(0.5+0.5*real(t), 0.5*imag(t))
		}
	}
}

// applyR writes σ(z[k]) into h[k] for real arguments; h may be z.
func (a Activation) applyR(z, h []float64) {
	h = h[:len(z)]
	switch a {
	case LnCosh:
		for k, v := range z {
			h[k] = lncoshReal(v)
		}
	case Tanh:
		for k, v := range z {
			h[k] = math.Tanh(v)
		}
	case Softplus:
		for k, v := range z {
			h[k] = 0.5*v + lncoshReal(0.5*v)
		}
	}
}

// derivR writes σ'(z[k]) into d[k] for real arguments; d may be z.
func (a Activation) derivR(z, d []float64) {
	d = d[:len(z)]
	switch a {
	case LnCosh:
		for k, v := range z {
			d[k] = math.Tanh(v)
		}
	case Tanh:
		for k, v := range z {
			t := math.Tanh(v)
			d[k] = 1 - t*t
		}
	case Softplus:
		for k, v := range z {
			d[k] = 0.5 + 0.5*math.Tanh(0.5*v)
		}
	}
}
