package cccd

import (
	"strings"
	"testing"

	"github.com/chot-dev/chot/verify"
)

// FuzzCCCD: no panic; nothing of the text but the ID number reaches the
// result.
func FuzzCCCD(f *testing.F) {
	f.Add(code)
	f.Add(strings.Replace(code, "|025123456|", "||", 1))
	f.Fuzz(func(t *testing.T, text string) {
		res := New().Verify([]string{text}, verify.EmptyTrust{}, now)
		if res.Credential == nil {
			return
		}
		if !digits(res.Credential.ID, 12) || res.Credential.Holder != nil || res.Claims != nil {
			t.Fatalf("credential %+v, claims %v", res.Credential, res.Claims)
		}
		if res.Decision == verify.Accept {
			t.Fatal("a CCCD accepted by the handler alone")
		}
	})
}
