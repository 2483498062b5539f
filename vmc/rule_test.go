package vmc

import "fmt"

// checkLists reports an inconsistency between configuration x and the site
// lists of the exchange proposer inside p (possibly wrapped in a global-flip
// mixture).
func checkLists(x []int8, p Proposer) error {
	if g, ok := p.(*globalFlipProposer); ok {
		p = g.base
	}
	e, ok := p.(*exchangeProposer)
	if !ok {
		return fmt.Errorf("proposer %T is not an exchange proposer", p)
	}
	if len(e.up)+len(e.down) != len(x) {
		return fmt.Errorf("%d up + %d down sites, want %d", len(e.up), len(e.down), len(x))
	}
	for k, site := range e.up {
		if x[site] != 1 || e.pos[site] != k {
			return fmt.Errorf("up list broken at %d", k)
		}
	}
	for k, site := range e.down {
		if x[site] != -1 || e.pos[site] != k {
			return fmt.Errorf("down list broken at %d", k)
		}
	}
	return nil
}
