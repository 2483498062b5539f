package mpi

import "sync"

// NewLocal returns n communicators whose ranks are goroutines of this
// process: rank r must be used by one goroutine at a time, and every rank
// by its own goroutine, since collectives block until all ranks arrive.
// Tests run the distributed code paths with it in the default build.
func NewLocal(n int) []Comm {
	if n < 1 {
		panic("mpi: NewLocal with fewer than one rank")
	}
	g := &group{n: n, bufs: make([][]byte, n), flags: make([]bool, n)}
	g.cond = sync.NewCond(&g.mu)
	cs := make([]Comm, n)
	for r := range cs {
		cs[r] = &local{g: g, rank: r}
	}
	return cs
}

// group is the shared state of the ranks of NewLocal.
type group struct {
	n    int
	mu   sync.Mutex
	cond *sync.Cond
	// arrived counts the ranks in the current barrier; gen counts
	// barriers, so that a rank that leaves one cannot be mistaken for
	// one arriving at the next.
	arrived, gen int
	bufs         [][]byte
	flags        []bool
}

func (g *group) barrier() {
	g.mu.Lock()
	defer g.mu.Unlock()
	gen := g.gen
	g.arrived++
	if g.arrived == g.n {
		g.arrived = 0
		g.gen++
		g.cond.Broadcast()
		return
	}
	for gen == g.gen {
		g.cond.Wait()
	}
}

type local struct {
	g    *group
	rank int
}

func (c *local) Rank() int { return c.rank }
func (c *local) Size() int { return c.g.n }
func (c *local) Barrier()  { c.g.barrier() }

// Allgatherv publishes this rank's buffer, copies every other rank's part
// from that rank's buffer, and waits until all ranks have copied (a rank
// reads only the owner's part of another buffer, which nobody writes).
func (c *local) Allgatherv(buf []byte, counts []int) {
	checkCounts(buf, counts, c.g.n)
	c.g.bufs[c.rank] = buf
	c.g.barrier()
	off := 0
	for r, n := range counts {
		if r != c.rank && n > 0 {
			copy(buf[off:off+n], c.g.bufs[r][off:off+n])
		}
		off += n
	}
	c.g.barrier()
}

func (c *local) Any(flag bool) bool {
	c.g.flags[c.rank] = flag
	c.g.barrier()
	any := false
	for _, f := range c.g.flags {
		any = any || f
	}
	c.g.barrier()
	return any
}
