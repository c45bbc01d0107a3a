// Package archtest holds the tests that keep the layering of ARCHITECTURE.md
// true: which package may import what, that only cmd/chot and tests import
// the packages that mint test credentials, that verification code never
// reads the wall clock, and that every package has a doc comment.
package archtest
