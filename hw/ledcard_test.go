package hw

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite LEDCARD.md from LEDCodes")

// TestLEDCard keeps the printed card (LEDCARD.md) in step with the blink
// codes and sounds the code plays. Run with -update after changing them.
func TestLEDCard(t *testing.T) {
	card := LEDCard()
	for _, c := range LEDCodes {
		if !strings.Contains(card, "`"+string(c.State)+"`") {
			t.Errorf("card lacks state %s", c.State)
		}
	}
	if *update {
		if err := os.WriteFile("LEDCARD.md", []byte(card), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile("LEDCARD.md")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != card {
		t.Fatalf("LEDCARD.md is stale; run go test ./hw -run LEDCard -update\n%s", card)
	}
}
