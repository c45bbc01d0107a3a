package cccd

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
)

// A made-up card in the real layout.
const (
	id      = "079201004321"
	name    = "Nguyễn Thị Minh Khai"
	dob     = "15031992"
	address = "Số 12, Đường Lê Lợi, Phường Bến Nghé, Quận 1, TP Hồ Chí Minh"
	code    = id + "|025123456|" + name + "|" + dob + "|Nữ|" + address + "|20082021"
)

var now = time.Date(2021, 9, 1, 8, 0, 0, 0, time.UTC)

func TestCCCD(t *testing.T) {
	checkIn := &verify.Policy{Mode: "checkin", CheckIn: true}
	onlyVacc := &verify.Policy{Mode: "travel", CheckIn: true, Accept: []verify.CredType{verify.TypeVaccination}}
	tests := []struct {
		name     string
		text     string
		policy   *verify.Policy
		format   verify.Format
		decision verify.Decision
		reason   verify.Reason
		sig      verify.Outcome
	}{
		{"no policy: unsigned", code, nil, verify.FormatCCCD, verify.Reject, verify.ReasonUnsigned, verify.Fail},
		{"policy without check-in: unsigned", code, &verify.Policy{Mode: "venue"}, verify.FormatCCCD, verify.Reject, verify.ReasonUnsigned, verify.Fail},
		{"check-in mode: accepted", code, checkIn, verify.FormatCCCD, verify.Accept, verify.ReasonOK, verify.Skip},
		{"check-in mode but identity not accepted", code, onlyVacc, verify.FormatCCCD, verify.Reject, verify.ReasonPolicy, verify.Skip},
		{"no old ID", strings.Replace(code, "|025123456|", "||", 1), checkIn, verify.FormatCCCD, verify.Accept, verify.ReasonOK, verify.Skip},
		{"bad birth date: not a check-in", strings.Replace(code, dob, "31021992", 1), checkIn, verify.FormatCCCD, verify.Reject, verify.ReasonBadSchema, verify.Fail},
		{"issued in the future", strings.Replace(code, "|20082021", "|20082022", 1), checkIn, verify.FormatCCCD, verify.Reject, verify.ReasonNotYetValid, verify.Fail},
		{"six fields: not a CCCD", id + "|025123456|" + name + "|" + dob + "|Nữ|" + address, checkIn, "", verify.Reject, verify.ReasonBadPrefix, ""},
		{"11-digit ID: not a CCCD", code[1:], checkIn, "", verify.Reject, verify.ReasonBadPrefix, ""},
	}
	v := verify.New(New())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := v.Verify(verify.Input{Texts: []string{tt.text}, Now: now, Policy: tt.policy, CredentialOnly: tt.policy == nil})
			if res.Format != tt.format || res.Decision != tt.decision || res.Reason != tt.reason {
				t.Fatalf("got %s %s/%s (%s), want %s %s/%s", res.Format, res.Decision, res.Reason, res.Detail, tt.format, tt.decision, tt.reason)
			}
			if res.Steps[verify.StepSignature] != tt.sig {
				t.Errorf("signature step %q, want %q", res.Steps[verify.StepSignature], tt.sig)
			}
			if tt.format == verify.FormatCCCD && (res.Credential == nil || res.Credential.Type != verify.TypeIdentity) {
				t.Errorf("credential %+v, want type identity", res.Credential)
			}
		})
	}
}

// TestNoPersonalData checks that nothing but the ID number leaves the
// handler: the checkpoint logs, syncs and shows only what Result holds
// (format, type, issuer, kid, and a keyed hash of Credential.ID), so the
// name, the birth date and the address must not be anywhere in it, in any
// outcome.
func TestNoPersonalData(t *testing.T) {
	v := verify.New(New())
	for _, p := range []*verify.Policy{nil, {CheckIn: true}} {
		for _, text := range []string{code, strings.Replace(code, dob, "99999999", 1)} {
			res := v.Verify(verify.Input{Texts: []string{text}, Now: now, Policy: p})
			b, err := json.Marshal(res)
			if err != nil {
				t.Fatal(err)
			}
			all := string(b) + fmt.Sprintf("%+v %+v", res, res.Credential)
			for _, secret := range []string{"Nguyễn", "Minh Khai", dob, "15/03/1992", "1992-03-15", "Lê Lợi", "Bến Nghé", "99999999"} {
				if strings.Contains(all, secret) {
					t.Errorf("policy %v: the result holds %q: %s", p, secret, all)
				}
			}
			if res.Credential == nil || res.Credential.ID != id || res.Credential.Holder != nil || res.Claims != nil {
				t.Errorf("credential %+v, claims %v: want the ID number only", res.Credential, res.Claims)
			}
		}
	}
}
