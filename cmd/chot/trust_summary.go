package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/trust"
)

// bundleSummary is what `chot trust inspect` and `chot trust import` print.
type bundleSummary struct {
	Version    uint64         `json:"version"`
	Signed     bool           `json:"signed"`
	SignedBy   string         `json:"signed_by,omitempty"`
	Signature  string         `json:"signature"` // valid, invalid, not_checked
	IssuedAt   time.Time      `json:"issued_at"`
	StaleAfter time.Time      `json:"stale_after"`
	ExpiresAt  time.Time      `json:"expires_at"`
	State      string         `json:"state"` // fresh, stale, expired (at --at or now)
	Keys       int            `json:"keys"`
	KeysBy     []keyCount     `json:"keys_by"`
	Revoked    []revCount     `json:"revocations"`
	Policy     []modeOverview `json:"policy"`
	// Sources are the trust lists the keys came from.
	Sources []trust.SourceEntry `json:"sources"`
}

type keyCount struct {
	Format verify.Format `json:"format"`
	Issuer string        `json:"issuer"`
	Count  int           `json:"count"`
}

type revCount struct {
	Format verify.Format `json:"format"`
	Kind   string        `json:"kind"`
	Count  int           `json:"count"`
}

type modeOverview struct {
	Mode   string            `json:"mode"`
	Accept []verify.CredType `json:"accept,omitempty"`
	// RuleSets and Country: the EU rule sets the mode applies, for arrival in Country.
	RuleSets []string `json:"rule_sets,omitempty"`
	Country  string   `json:"country,omitempty"`
}

func summarize(b *trust.Bundle, signed bool, sig string, now time.Time) bundleSummary {
	s := bundleSummary{
		Version: b.Version, Signed: signed, Signature: sig,
		IssuedAt: b.IssuedAt, StaleAfter: b.StaleAfter, ExpiresAt: b.ExpiresAt,
		Keys: len(b.Keys), KeysBy: []keyCount{}, Revoked: []revCount{}, Policy: []modeOverview{},
		Sources: append([]trust.SourceEntry{}, b.Sources...),
	}
	if len(b.SignedBy) > 0 {
		s.SignedBy = hex.EncodeToString(b.SignedBy)
	}
	switch {
	case b.Expired(now):
		s.State = "expired"
	case b.Stale(now):
		s.State = "stale"
	default:
		s.State = "fresh"
	}
	keys := map[keyCount]int{}
	for _, k := range b.Keys {
		keys[keyCount{Format: k.Format, Issuer: k.Issuer}]++
	}
	for k, n := range keys {
		k.Count = n
		s.KeysBy = append(s.KeysBy, k)
	}
	sort.Slice(s.KeysBy, func(i, j int) bool {
		a, c := s.KeysBy[i], s.KeysBy[j]
		return a.Format < c.Format || a.Format == c.Format && a.Issuer < c.Issuer
	})
	revs := map[revCount]int{}
	for _, r := range b.Revocations {
		revs[revCount{Format: r.Format, Kind: r.Kind}] += len(r.Values)
	}
	for r, n := range revs {
		r.Count = n
		s.Revoked = append(s.Revoked, r)
	}
	sort.Slice(s.Revoked, func(i, j int) bool {
		a, c := s.Revoked[i], s.Revoked[j]
		return a.Format < c.Format || a.Format == c.Format && a.Kind < c.Kind
	})
	if b.Policy != nil {
		for name, p := range b.Policy.Modes {
			s.Policy = append(s.Policy, modeOverview{Mode: name, Accept: p.Accept, RuleSets: p.RuleSets, Country: p.Country})
		}
		sort.Slice(s.Policy, func(i, j int) bool { return s.Policy[i].Mode < s.Policy[j].Mode })
	}
	return s
}

func printBundle(w io.Writer, s bundleSummary, asJSON bool) error {
	if asJSON {
		b, err := json.Marshal(s)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	signed := "unsigned payload"
	if s.Signed {
		signed = "signed by root " + s.SignedBy + ", signature " + strings.ReplaceAll(s.Signature, "_", " ")
	}
	fmt.Fprintf(w, "version      %d (%s)\n", s.Version, signed)
	fmt.Fprintf(w, "issued at    %s\n", s.IssuedAt.Format(time.RFC3339))
	fmt.Fprintf(w, "stale after  %s\n", s.StaleAfter.Format(time.RFC3339))
	fmt.Fprintf(w, "expires at   %s\n", s.ExpiresAt.Format(time.RFC3339))
	fmt.Fprintf(w, "state        %s\n", s.State)
	fmt.Fprintf(w, "keys         %d\n", s.Keys)
	for _, k := range s.KeysBy {
		fmt.Fprintf(w, "  %-4s %-50s %d\n", k.Format, k.Issuer, k.Count)
	}
	if len(s.Sources) > 0 {
		fmt.Fprintf(w, "sources\n")
	}
	for _, src := range s.Sources {
		sig := src.Signature
		if src.SignedBy != "" {
			sig += " by " + src.SignedBy
		}
		if src.Signature == trust.ListUnsigned {
			sig = "UNSIGNED (taken on the operator's word)"
		}
		fmt.Fprintf(w, "  %s: %s, %s, %d taken, %d skipped\n", src.Name, src.Kind, sig, src.Taken, src.Skipped)
	}
	fmt.Fprintf(w, "revocations\n")
	if len(s.Revoked) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, r := range s.Revoked {
		fmt.Fprintf(w, "  %-4s %-50s %d\n", r.Format, r.Kind, r.Count)
	}
	fmt.Fprintf(w, "policy modes\n")
	if len(s.Policy) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, m := range s.Policy {
		accept := "any type"
		if len(m.Accept) > 0 {
			parts := make([]string, len(m.Accept))
			for i, t := range m.Accept {
				parts[i] = string(t)
			}
			accept = strings.Join(parts, ", ")
		}
		fmt.Fprintf(w, "  %-20s accepts %s", m.Mode, accept)
		if len(m.RuleSets) > 0 {
			fmt.Fprintf(w, "; EU rules %s for %s", strings.Join(m.RuleSets, ", "), m.Country)
		}
		fmt.Fprintln(w)
	}
	return nil
}
