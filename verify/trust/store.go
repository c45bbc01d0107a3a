package trust

import (
	"crypto/ed25519"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/rules"
)

// Store is a verify.TrustStore over indexed keys and revocations. It is
// immutable after construction and safe for concurrent use; the keys it
// returns are shared and must not be modified.
type Store struct {
	keys  map[keyIndex][]*verify.Key
	revs  map[revClass]map[string]revHit
	nKeys int
	nRevs int

	valueSets map[string]*verify.ValueSet

	version                         uint64
	issuedAt, staleAfter, expiresAt time.Time
	policy                          *verify.PolicySet
	rules                           *rules.Library
}

type keyIndex struct {
	format verify.Format
	kid    string
}

// revClass splits the revocation index by format and kind, so that the
// inner map is keyed by the value alone.
type revClass struct {
	format verify.Format
	kind   string
}

// revGroup is what the revocations of one list share.
type revGroup struct {
	format verify.Format
	issuer string
	kid    []byte
	kind   string
}

// revRef is one revocation: its group and its before time (zero: always).
type revRef struct {
	group  *revGroup
	before time.Time
}

// revHit holds the revocations of one value: nearly always one.
type revHit struct {
	first revRef
	more  []revRef
}

var _ verify.TrustStore = (*Store)(nil)

// NewStore builds the store of a bundle: every key entry turned into a
// verify.Key (DCC certificates through KeyFromDSC), every revocation indexed.
func NewStore(b *Bundle) (*Store, error) {
	keys := make([]*verify.Key, 0, len(b.Keys))
	for i := range b.Keys {
		k, err := b.Keys[i].Key()
		if err != nil {
			return nil, fmt.Errorf("%w: key %d: %w", ErrMalformed, i, err)
		}
		keys = append(keys, k)
	}
	s := NewKeyStore(keys, nil)
	sizes := map[revClass]int{}
	for i := range b.Revocations {
		sizes[revClass{b.Revocations[i].Format, b.Revocations[i].Kind}] += len(b.Revocations[i].Values)
	}
	for c, n := range sizes {
		s.revs[c] = make(map[string]revHit, n)
	}
	for i := range b.Revocations {
		e := &b.Revocations[i]
		g := &revGroup{format: e.Format, issuer: e.Issuer, kid: e.Kid, kind: e.Kind}
		for j, v := range e.Values {
			r := revRef{group: g}
			if len(e.Before) > 0 {
				r.before = e.Before[j]
			}
			s.addRev(string(v), r)
		}
	}
	sets, err := parseRuleSets(b.RuleSets)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	s.addValueSets(b.ValueSets)
	s.rules = rules.NewLibrary(sets, s.ValueSetCodes()) // rules see the bundle's value sets
	s.version, s.policy = b.Version, bindRules(b.Policy, s.rules)
	s.issuedAt, s.staleAfter, s.expiresAt = b.IssuedAt, b.StaleAfter, b.ExpiresAt
	return s, nil
}

// NewKeyStore builds a store over loose keys and revocations (version 0, no
// times, no policy), as `chot verify --cert` loads them. It keeps the slices'
// elements; the caller must not modify them afterwards.
func NewKeyStore(keys []*verify.Key, revs []verify.Revocation) *Store {
	s := &Store{
		keys: make(map[keyIndex][]*verify.Key, len(keys)),
		revs: make(map[revClass]map[string]revHit),
	}
	for _, k := range keys {
		s.addKey(k)
	}
	for _, r := range revs {
		g := &revGroup{format: r.Format, issuer: r.Issuer, kid: r.Kid, kind: r.Kind}
		s.addRev(string(r.Value), revRef{group: g, before: r.Before})
	}
	return s
}

func (s *Store) addKey(k *verify.Key) {
	i := keyIndex{k.Format, string(k.Kid)}
	s.keys[i] = append(s.keys[i], k)
	s.nKeys++
}

func (s *Store) addRev(value string, r revRef) {
	c := revClass{r.group.format, r.group.kind}
	m := s.revs[c]
	if m == nil {
		m = make(map[string]revHit)
		s.revs[c] = m
	}
	h, ok := m[value]
	if !ok {
		h.first = r
	} else {
		h.more = append(h.more, r)
	}
	m[value] = h
	s.nRevs++
}

// Merge returns a store holding the keys and revocations of all stores; its
// version, times and policy are those of the first store that has a
// version. Nil stores are skipped.
func Merge(stores ...*Store) *Store {
	out := NewKeyStore(nil, nil)
	for _, s := range stores {
		if s == nil {
			continue
		}
		for _, ks := range s.keys {
			for _, k := range ks {
				out.addKey(k)
			}
		}
		for _, m := range s.revs {
			for v, h := range m {
				out.addRev(v, h.first)
				for _, r := range h.more {
					out.addRev(v, r)
				}
			}
		}
		for id, v := range s.valueSets {
			if out.valueSets == nil {
				out.valueSets = map[string]*verify.ValueSet{}
			}
			if _, ok := out.valueSets[id]; !ok {
				out.valueSets[id] = v
			}
		}
		if out.version == 0 && s.version != 0 {
			out.version, out.policy, out.rules = s.version, s.policy, s.rules
			out.issuedAt, out.staleAfter, out.expiresAt = s.issuedAt, s.staleAfter, s.expiresAt
		}
	}
	return out
}

// Keys implements verify.TrustStore: the keys of format f with this kid; for
// SHC only those bound to issuer.
func (s *Store) Keys(f verify.Format, issuer string, kid []byte) []*verify.Key {
	ks := s.keys[keyIndex{f, string(kid)}]
	if f != verify.FormatSHC {
		return ks
	}
	var out []*verify.Key
	for _, k := range ks {
		if k.Issuer == issuer {
			out = append(out, k)
		}
	}
	return out
}

// Revoked implements verify.TrustStore.
func (s *Store) Revoked(q verify.RevocationQuery) bool {
	h, ok := s.revs[revClass{q.Format, q.Kind}][string(q.Value)]
	if !ok {
		return false
	}
	if h.first.matches(q) {
		return true
	}
	for _, r := range h.more {
		if r.matches(q) {
			return true
		}
	}
	return false
}

// matches applies verify.Revocation's rule, so that a bundle and a
// verify.KeyList judge alike.
func (r revRef) matches(q verify.RevocationQuery) bool {
	e := verify.Revocation{Format: r.group.format, Issuer: r.group.issuer, Kid: r.group.kid,
		Kind: r.group.kind, Value: q.Value, Before: r.before}
	return e.Matches(q)
}

// Version is the bundle's version; 0 for loose keys.
func (s *Store) Version() uint64 { return s.version }

// IssuedAt is the bundle's issue time; zero for loose keys.
func (s *Store) IssuedAt() time.Time { return s.issuedAt }

// StaleAfter is when the bundle counts as old; zero for loose keys.
func (s *Store) StaleAfter() time.Time { return s.staleAfter }

// ExpiresAt is when the bundle stops being installable; zero for loose keys.
func (s *Store) ExpiresAt() time.Time { return s.expiresAt }

// Stale reports whether the bundle is past stale_after at now; loose keys
// are never stale.
func (s *Store) Stale(now time.Time) bool {
	return !s.staleAfter.IsZero() && !now.Before(s.staleAfter)
}

// Policy is the bundle's policy set, or nil. Shared: do not modify.
func (s *Store) Policy() *verify.PolicySet { return s.policy }

// Rules is the bundle's rule sets, or nil. Its modes' policies are bound
// to it already.
func (s *Store) Rules() *rules.Library { return s.rules }

// KeyCount is the number of keys.
func (s *Store) KeyCount() int { return s.nKeys }

// RevocationCount is the number of revocation entries.
func (s *Store) RevocationCount() int { return s.nRevs }

// Atomic holds the current Store; the daemon swaps in a new one when it
// installs a bundle while verifications run. The zero value holds nothing
// and trusts nothing. A verification should Load once and use that store
// throughout, so that it sees one bundle.
type Atomic struct {
	p atomic.Pointer[Store]
}

var _ verify.TrustStore = (*Atomic)(nil)

// Load returns the current store, or nil.
func (a *Atomic) Load() *Store { return a.p.Load() }

// Swap installs s and returns the store it replaces (nil if none).
func (a *Atomic) Swap(s *Store) *Store { return a.p.Swap(s) }

// Keys implements verify.TrustStore over the current store.
func (a *Atomic) Keys(f verify.Format, issuer string, kid []byte) []*verify.Key {
	if s := a.Load(); s != nil {
		return s.Keys(f, issuer, kid)
	}
	return nil
}

// Revoked implements verify.TrustStore over the current store.
func (a *Atomic) Revoked(q verify.RevocationQuery) bool {
	if s := a.Load(); s != nil {
		return s.Revoked(q)
	}
	return false
}

// Install opens data as Open does, with the held store's version as the
// installed one, builds its store, hands it to persist (the device store's
// one transaction; nil to skip) and only then swaps it in. On any error the
// held store stays and the error wraps Open's sentinels or persist's error.
// Concurrent Installs must be serialised by the caller.
func (a *Atomic) Install(data []byte, roots []ed25519.PublicKey, now time.Time,
	persist func(data []byte, version uint64) error) (*Bundle, error) {
	var installed uint64
	if cur := a.Load(); cur != nil {
		installed = cur.Version()
	}
	b, err := Open(data, roots, installed, now)
	if err != nil {
		return nil, err
	}
	s, err := NewStore(b)
	if err != nil {
		return nil, err
	}
	if persist != nil {
		if err := persist(data, b.Version); err != nil {
			return nil, fmt.Errorf("trust: install version %d: %w", b.Version, err)
		}
	}
	a.Swap(s)
	return b, nil
}
