//go:build !purego

package sr

// cpuid executes the CPUID instruction for leaf eaxArg, sub-leaf ecxArg.
func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

// xgetbv reads the extended control register XCR0.
func xgetbv() (eax, edx uint32)

// kernAVX512 is the AVX-512 micro-kernel; see kernGo for its contract.
//
//go:noescape
func kernAVX512(kc int, a *float64, b *float64, ldb int, c *float64, ldc int, sub int)

// hasAVX512 reports whether the CPU and the operating system support the
// AVX-512 foundation instructions with full ZMM register state.
func hasAVX512() bool {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const osxsave = 1 << 27
	if ecx1&osxsave == 0 {
		return false
	}
	// XCR0 bits 1, 2 (SSE, AVX state) and 5, 6, 7 (opmask, ZMM_Hi256,
	// Hi16_ZMM) must all be enabled by the OS.
	xcr0, _ := xgetbv()
	const zmmState = 1<<1 | 1<<2 | 1<<5 | 1<<6 | 1<<7
	if xcr0&zmmState != zmmState {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	const avx512f = 1 << 16
	return ebx7&avx512f != 0
}

// kernAVX2 is the AVX2/FMA micro-kernel; see kernGo for its contract.
//
//go:noescape
func kernAVX2(kc int, a *float64, b *float64, ldb int, c *float64, ldc int, sub int)

//go:noescape
func dot4AVX512(n int, a, b, x, y *float64, out *[4]float64)

//go:noescape
func axpy2AVX512(n int, a, b, yr, yi *float64, ur, ui float64)

func init() {
	if hasAVX2FMA() {
		kernels["avx2"] = kernelAVX2
	}
	if hasAVX512() {
		kernels["avx512"] = kernelAVX512
	}
	switch {
	case hasAVX512():
		kernel = kernelAVX512
		dot4 = dot4Vec
		axpy2 = axpy2Vec
	case hasAVX2FMA():
		kernel = kernelAVX2
	}
}

// hasAVX2FMA reports whether the CPU and the operating system support AVX2
// and FMA3 with YMM register state.
func hasAVX2FMA() bool {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const osxsave, fma = 1 << 27, 1 << 12
	if ecx1&osxsave == 0 || ecx1&fma == 0 {
		return false
	}
	xcr0, _ := xgetbv()
	const ymmState = 1<<1 | 1<<2
	if xcr0&ymmState != ymmState {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	const avx2 = 1 << 5
	return ebx7&avx2 != 0
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
