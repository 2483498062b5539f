package sr

import "github.com/vmc-lattice/vmc/internal/parallel"

// This file holds the one dense building block of the package: a blocked,
// packed, goroutine-parallel real matrix product
//
//	C ±= X·Yᵀ   (C_ij ±= Σ_k X_ik Y_jk),
//
// optionally restricted to the lower triangle j ≤ i, with several products
// sharing their packed operands. Complex Hermitian products are expressed
// as a few real ones on split real and imaginary planes.
//
// Determinism: the reduction index k is cut into blocks of a fixed size
// kcBlock; every output entry is accumulated block after block, in block
// order, by one micro-kernel call per block. Which goroutine runs a call
// changes nothing, so the result does not depend on the thread count.

const (
	// kcBlock is the reduction-block length. Each block of the
	// reduction reads and writes all of C once, so long blocks save memory
	// traffic; the nr-wide operand of a kernel call (kcBlock·nr·8 bytes =
	// 96 KiB) then lives in the L2 cache, which delivers the 256 bytes per
	// 24 fused multiply-adds the kernel needs with room to spare. Measured
	// on the MinSR product (Ns = 1000, P = 10200): 512 is 10% faster than
	// 128; 256 and 1024 lie in between.
	kcBlock = 512
	// tileSize is the edge of the macro tiles of C handed to goroutines;
	// a multiple of nr and mr. 96, 192 and 384 perform alike; 192 leaves
	// enough tiles to balance two to a few dozen threads.
	tileSize = 192
	// packChunk is the number of mr-item panels packed per task.
	packChunk = 24
)

// operand describes a real matrix by items (rows of X or Y in C = X·Yᵀ)
// and a reduction index k:
//
//	value(i, k) = data[off + i*ld + k]   (colItems == false)
//	value(i, k) = data[off + k*ld + i]   (colItems == true)
type operand struct {
	data     []float64
	off, ld  int
	items    int
	colItems bool
}

// product is one term C ±= X·Yᵀ of a gemm call: C is data[off + i*ldc + j].
type product struct {
	c        []float64
	off, ldc int
	x, y     int // indices into the operand list
	sub      bool
}

// gemm owns the packing buffers of the blocked product.
type gemm struct {
	slabs [][]float64
	tmp   [][]float64 // per-worker mr×nr edge tiles
}

// panels returns the number of packed panels of mr items for an operand
// of the given size, rounded up to whole groups of nr items so that every
// nr-wide micro-panel exists.
func panels(items int) int { return (items + nr - 1) / nr * (nr / mr) }

// pack writes panels p0..p1-1 of operand o, reduction range [k0, k0+kc),
// into dst: panel p holds value(p*mr+ii, k0+k) at dst[p*kc*mr + k*mr + ii],
// zero for items beyond o.items.
func pack(dst []float64, o *operand, k0, kc, p0, p1 int) {
	for p := p0; p < p1; p++ {
		d := dst[p*kc*mr : (p+1)*kc*mr]
		i0 := p * mr
		ni := max(0, min(mr, o.items-i0))
		if ni < mr {
			clear(d)
		}
		if ni == 0 {
			continue
		}
		if o.colItems {
			for k := 0; k < kc; k++ {
				src := o.data[o.off+(k0+k)*o.ld+i0:]
				copy(d[k*mr:k*mr+ni], src[:ni])
			}
			continue
		}
		for ii := 0; ii < ni; ii++ {
			src := o.data[o.off+(i0+ii)*o.ld+k0:]
			src = src[:kc]
			for k, v := range src {
				d[k*mr+ii] = v
			}
		}
	}
}

// run accumulates every product over the reduction length K. All products
// share the shape m×n, m = ops[x].items and n = ops[y].items; with lower
// set (then m == n) only entries j ≤ i are touched.
func (g *gemm) run(threads, K int, lower bool, ops []operand, prods []product) {
	if len(prods) == 0 || K == 0 {
		return
	}
	m, n := ops[prods[0].x].items, ops[prods[0].y].items
	for _, p := range prods {
		if ops[p.x].items != m || ops[p.y].items != n {
			panic("sr: internal error: gemm products of different shapes")
		}
	}
	if m == 0 || n == 0 {
		return
	}
	kc := min(kcBlock, K)
	for len(g.slabs) < len(ops) {
		g.slabs = append(g.slabs, nil)
	}
	for i := range ops {
		g.slabs[i] = grow(g.slabs[i], panels(ops[i].items)*kc*mr)
	}
	for len(g.tmp) < threads {
		g.tmp = append(g.tmp, make([]float64, mr*nr))
	}

	// Pack tasks: (operand, chunk of panels).
	type packTask struct{ op, p0, p1 int }
	var ptasks []packTask
	for i := range ops {
		np := panels(ops[i].items)
		for p := 0; p < np; p += packChunk {
			ptasks = append(ptasks, packTask{i, p, min(p+packChunk, np)})
		}
	}
	// Compute tasks: macro tiles.
	type tile struct{ i0, i1, j0, j1 int }
	var tiles []tile
	for i0 := 0; i0 < m; i0 += tileSize {
		for j0 := 0; j0 < n; j0 += tileSize {
			if lower && j0 > i0+tileSize-1 {
				break
			}
			tiles = append(tiles, tile{i0, min(i0+tileSize, m), j0, min(j0+tileSize, n)})
		}
	}

	for k0 := 0; k0 < K; k0 += kc {
		kb := min(kc, K-k0)
		parallel.For(threads, len(ptasks), func(_, t int) {
			pt := ptasks[t]
			pack(g.slabs[pt.op], &ops[pt.op], k0, kb, pt.p0, pt.p1)
		})
		parallel.For(threads, len(tiles), func(w, t int) {
			tl := tiles[t]
			tmp := g.tmp[w]
			for _, p := range prods {
				xs, ys := g.slabs[p.x], g.slabs[p.y]
				ldb := kb * mr
				for j0 := tl.j0; j0 < tl.j1; j0 += nr {
					yp := ys[(j0/mr)*ldb:]
					for i0 := tl.i0; i0 < tl.i1; i0 += mr {
						if lower && j0 > i0+mr-1 {
							continue
						}
						xp := xs[(i0/mr)*ldb:]
						full := i0+mr <= m && j0+nr <= n && (!lower || j0+nr-1 <= i0)
						if full {
							kernel(kb, xp, yp, ldb, p.c[p.off+i0*p.ldc+j0:], p.ldc, p.sub)
							continue
						}
						clear(tmp)
						kernel(kb, xp, yp, ldb, tmp, nr, false)
						for i := i0; i < min(i0+mr, m); i++ {
							jmax := min(j0+nr, n)
							if lower {
								jmax = min(jmax, i+1)
							}
							row := p.c[p.off+i*p.ldc:]
							tr := tmp[(i-i0)*nr:]
							for j := j0; j < jmax; j++ {
								if p.sub {
									row[j] -= tr[j-j0]
								} else {
									row[j] += tr[j-j0]
								}
							}
						}
					}
				}
			}
		})
	}
}

// grow returns a slice of length n, reusing buf's memory when it is large
// enough. The contents are unspecified.
func grow(buf []float64, n int) []float64 {
	if cap(buf) >= n {
		return buf[:n]
	}
	return make([]float64, n)
}
