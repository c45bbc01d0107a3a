//go:build race

package store

// raceEnabled: under -race each child takes ~0.7 s to start and die, so the
// kill test runs fewer loops by default (CHOT_KILL_LOOPS still overrides).
const raceEnabled = true
