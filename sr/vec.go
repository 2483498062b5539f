package sr

// Vector kernels of the matrix-free products. Like the micro-kernel they
// are chosen once at start-up, never by the thread count.
var (
	dot4  = dot4Go
	axpy2 = axpy2Go
)

// dot4Go returns Σ a·x, Σ b·y, Σ a·y and Σ b·x over len(a) entries, each
// summed in order.
func dot4Go(a, b, x, y []float64) (ax, by, ay, bx float64) {
	n := len(a)
	b, x, y = b[:n], x[:n], y[:n]
	for k, ak := range a {
		ax += ak * x[k]
		by += b[k] * y[k]
		ay += ak * y[k]
		bx += b[k] * x[k]
	}
	return ax, by, ay, bx
}

// axpy2Go sets, for k < len(a),
//
//	yr[k] += a[k]·ur + b[k]·ui
//	yi[k] += a[k]·ui − b[k]·ur   (skipped when yi is nil)
//
// which is y += conj(a + ib)·(ur + i·ui) for complex y, and its real part.
func axpy2Go(a, b, yr, yi []float64, ur, ui float64) {
	n := len(a)
	b, yr = b[:n], yr[:n]
	if yi == nil {
		for k, ak := range a {
			yr[k] += ak*ur + b[k]*ui
		}
		return
	}
	yi = yi[:n]
	for k, ak := range a {
		bk := b[k]
		yr[k] += ak*ur + bk*ui
		yi[k] += ak*ui - bk*ur
	}
}
