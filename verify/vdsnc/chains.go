package vdsnc

import (
	"crypto/sha256"
	"sync"

	"github.com/chot-dev/chot/verify"
)

// maxChains bounds the cache of verified chains: far more barcode signers
// than a checkpoint sees (a country uses a handful at a time).
const maxChains = 256

// chains remembers which barcode signer certificates (by SHA-256 of their
// DER) a CSCA key (by identity: a new trust store brings new keys, so
// nothing survives a swap) has verified. A BSC signs every seal of its
// country for years, and checking it is the costly part of a seal (an
// RSA-4096 CSCA in Australia's case): once is enough. The zero value is
// ready; it is safe for concurrent use.
type chains struct {
	mu sync.Mutex
	m  map[chainKey]struct{}
}

type chainKey struct {
	bsc  [sha256.Size]byte
	csca *verify.Key
}

func (c *chains) verified(bsc [sha256.Size]byte, csca *verify.Key) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.m[chainKey{bsc, csca}]
	return ok
}

func (c *chains) add(bsc [sha256.Size]byte, csca *verify.Key) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxChains {
		c.m = make(map[chainKey]struct{})
	}
	c.m[chainKey{bsc, csca}] = struct{}{}
}
