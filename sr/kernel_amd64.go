//go:build !purego

package sr

import "golang.org/x/sys/cpu"

// kernAVX512 is the AVX-512 micro-kernel; see kernGo for its contract.
//
//go:noescape
func kernAVX512(kc int, a *float64, b *float64, ldb int, c *float64, ldc int, sub int)

// kernAVX2 is the AVX2/FMA micro-kernel; see kernGo for its contract.
//
//go:noescape
func kernAVX2(kc int, a *float64, b *float64, ldb int, c *float64, ldc int, sub int)

//go:noescape
func dot4AVX512(n int, a, b, x, y *float64, out *[4]float64)

//go:noescape
func axpy2AVX512(n int, a, b, yr, yi *float64, ur, ui float64)

// init selects the kernels from the CPU's features. golang.org/x/sys/cpu
// reports a feature only when the operating system also saves the
// registers it uses (XCR0, read with XGETBV): YMM state for AVX2, opmask
// and ZMM state for AVX-512.
func init() {
	selectKernels(cpu.X86.HasAVX512F, cpu.X86.HasAVX2 && cpu.X86.HasFMA)
}

// selectKernels registers the assembly kernels the CPU can run in kernels
// and makes the fastest one current: AVX-512 (with the AVX-512 vector
// kernels dot4 and axpy2), else AVX2 with FMA, else the portable Go
// kernels left in place.
func selectKernels(avx512, avx2fma bool) {
	if avx2fma {
		kernels["avx2"] = kernelAVX2
	}
	if avx512 {
		kernels["avx512"] = kernelAVX512
	}
	switch {
	case avx512:
		kernel = kernelAVX512
		dot4 = dot4Vec
		axpy2 = axpy2Vec
	case avx2fma:
		kernel = kernelAVX2
	}
}

func kernelAVX2(kc int, a, b []float64, ldb int, c []float64, ldc int, sub bool) {
	if kc <= 0 {
		kernGo(kc, a, b, ldb, c, ldc, sub)
		return
	}
	_ = a[kc*mr-1]
	_ = b[(nr/mr-1)*ldb+kc*mr-1]
	_ = c[(mr-1)*ldc+nr-1]
	s := 0
	if sub {
		s = 1
	}
	kernAVX2(kc, &a[0], &b[0], ldb, &c[0], ldc, s)
}

// dot4Vec is dot4Go with the bulk of the sums in AVX-512 lanes.
func dot4Vec(a, b, x, y []float64) (ax, by, ay, bx float64) {
	n := len(a)
	b, x, y = b[:n], x[:n], y[:n]
	m := n &^ 15
	if m > 0 {
		var out [4]float64
		dot4AVX512(m, &a[0], &b[0], &x[0], &y[0], &out)
		ax, by, ay, bx = out[0], out[1], out[2], out[3]
	}
	if m < n {
		tx, ty, tz, tw := dot4Go(a[m:], b[m:], x[m:], y[m:])
		ax += tx
		by += ty
		ay += tz
		bx += tw
	}
	return ax, by, ay, bx
}

// axpy2Vec is axpy2Go with the bulk in AVX-512 lanes.
func axpy2Vec(a, b, yr, yi []float64, ur, ui float64) {
	n := len(a)
	b, yr = b[:n], yr[:n]
	var pi *float64
	if yi != nil {
		yi = yi[:n]
	}
	m := n &^ 7
	if m > 0 {
		if yi != nil {
			pi = &yi[0]
		}
		axpy2AVX512(m, &a[0], &b[0], &yr[0], pi, ur, ui)
	}
	if m < n {
		var ti []float64
		if yi != nil {
			ti = yi[m:]
		}
		axpy2Go(a[m:], b[m:], yr[m:], ti, ur, ui)
	}
}

func kernelAVX512(kc int, a, b []float64, ldb int, c []float64, ldc int, sub bool) {
	if kc <= 0 {
		kernGo(kc, a, b, ldb, c, ldc, sub)
		return
	}
	// Bounds checks that the assembly cannot do.
	_ = a[kc*mr-1]
	_ = b[(nr/mr-1)*ldb+kc*mr-1]
	_ = c[(mr-1)*ldc+nr-1]
	s := 0
	if sub {
		s = 1
	}
	kernAVX512(kc, &a[0], &b[0], ldb, &c[0], ldc, s)
}
