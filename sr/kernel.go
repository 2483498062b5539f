package sr

// Register-tile shape of the micro-kernel: an mr×nr block of the output is
// accumulated from mr broadcast values of one operand and nr values of the
// other per step of the reduction. Operands are packed in panels of mr
// items (see pack); the nr values come from nr/mr consecutive panels.
const (
	mr = 8
	nr = 24
)

// kernelFunc is the signature of the micro-kernels; see kernGo.
type kernelFunc func(kc int, a, b []float64, ldb int, c []float64, ldc int, sub bool)

// kernel is the micro-kernel in use: kernGo, or an assembly version chosen
// at start-up from the CPU's features. The choice never depends on the
// number of threads, so results are identical for every thread count.
var kernel kernelFunc = kernGo

// kernels lists every micro-kernel this CPU can run, for tests.
var kernels = map[string]kernelFunc{"go": kernGo}

// kernGo computes, for i < mr and j < nr,
//
//	acc[i][j] = Σ_{k<kc} a[k*mr+i]·b[(j/mr)*ldb + k*mr + j%mr]   (in order of k from 0)
//	c[i*ldc+j] += acc[i][j]                                     (or -= when sub is true)
//
// a is one packed panel, b three consecutive panels ldb apart. kernGo is
// the portable reference for the assembly kernels.
func kernGo(kc int, a, b []float64, ldb int, c []float64, ldc int, sub bool) {
	for i := 0; i < mr; i += 2 {
		for j := 0; j < nr; j += 4 {
			bj := b[(j/mr)*ldb+j%mr:]
			var s00, s01, s02, s03, s10, s11, s12, s13 float64
			for k := 0; k < kc; k++ {
				ak := a[k*mr+i : k*mr+i+2 : k*mr+i+2]
				bk := bj[k*mr : k*mr+4 : k*mr+4]
				a0, a1 := ak[0], ak[1]
				b0, b1, b2, b3 := bk[0], bk[1], bk[2], bk[3]
				s00 += a0 * b0
				s01 += a0 * b1
				s02 += a0 * b2
				s03 += a0 * b3
				s10 += a1 * b0
				s11 += a1 * b1
				s12 += a1 * b2
				s13 += a1 * b3
			}
			c0 := c[i*ldc+j : i*ldc+j+4 : i*ldc+j+4]
			c1 := c[(i+1)*ldc+j : (i+1)*ldc+j+4 : (i+1)*ldc+j+4]
			if sub {
				c0[0] -= s00
				c0[1] -= s01
				c0[2] -= s02
				c0[3] -= s03
				c1[0] -= s10
				c1[1] -= s11
				c1[2] -= s12
				c1[3] -= s13
			} else {
				c0[0] += s00
				c0[1] += s01
				c0[2] += s02
				c0[3] += s03
				c1[0] += s10
				c1[1] += s11
				c1[2] += s12
				c1[3] += s13
			}
		}
	}
}
