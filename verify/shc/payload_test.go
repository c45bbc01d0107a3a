package shc

import (
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/shc/shcmint"
)

// TestUnsignedPayloads re-signs the validation SDK's unsigned payloads with a
// test key trusted for the spec issuer, and judges nbf/exp at clocks around
// them.
func TestUnsignedPayloads(t *testing.T) {
	key := newKey(t)
	trust := trustKey(t, specIssuer, &key.PublicKey)
	v := newVerifier()
	const (
		nbf = 1639496673.998 // expired, exp_milliseconds, pre-expired
		exp = 1639496674.998 // expired
	)
	tests := []struct {
		file string
		now  time.Time
		want verify.Reason
	}{
		{"expired", unix(nbf), verify.ReasonOK},
		{"expired", unix(nbf + 0.5), verify.ReasonOK},
		{"expired", unix(exp), verify.ReasonOK},
		{"expired", unix(exp).Add(time.Millisecond), verify.ReasonExpired},
		{"expired", unix(nbf).Add(-time.Millisecond), verify.ReasonNotYetValid},
		{"nbf_not_yet_valid", sdkNow, verify.ReasonNotYetValid},
		{"nbf_not_yet_valid", unix(2533406445.73), verify.ReasonOK},
		// exp and nbf written in milliseconds: refused whatever the clock.
		{"exp_milliseconds", unix(nbf + 1), verify.ReasonBadPayload},
		{"nbf_milliseconds", sdkNow, verify.ReasonBadPayload},
		// exp one second before nbf.
		{"pre-expired", unix(nbf), verify.ReasonBadPayload},
		{"trailing_chars", sdkNow, verify.ReasonOK},
		{"missing-shc-vc-type", sdkNow, verify.ReasonBadPayload},
		{"missing-covid-vc-type", sdkNow, verify.ReasonOK},
		{"missing-imm-vc-type", sdkNow, verify.ReasonOK},
		{"optional-vc-type", sdkNow, verify.ReasonOK},
		{"unknown-vc-types", sdkNow, verify.ReasonOK},
		{"missing-coding", sdkNow, verify.ReasonOK},
	}
	for _, tt := range tests {
		t.Run(tt.file+"@"+tt.now.UTC().Format(time.RFC3339Nano), func(t *testing.T) {
			payload := readFile(t, testdata("validation-sdk", "test-example-00-b-jws-payload-expanded-"+tt.file+".json"))
			jws, err := shcmint.SignPayload([]byte(payload), key)
			if err != nil {
				t.Fatal(err)
			}
			wantReason(t, run(v, []string{jws}, trust, tt.now), tt.want)
		})
	}
}

// TestCovidLabPayload: a SARS-CoV-2 antigen test with a "detected" result.
func TestCovidLabPayload(t *testing.T) {
	key := newKey(t)
	payload := readFile(t, testdata("validation-sdk", "test-example-covid-lab-jwspayload-missing-lab-vc-type.json"))
	jws, err := shcmint.SignPayload([]byte(payload), key)
	if err != nil {
		t.Fatal(err)
	}
	res := run(newVerifier(), shcmint.QRTexts(jws), trustKey(t, specIssuer, &key.PublicKey), sdkNow)
	wantReason(t, res, verify.ReasonOK)
	c := res.Credential
	if c.Type != verify.TypeTest || c.Test == nil {
		t.Fatalf("type %q, want test", c.Type)
	}
	want := verify.Test{Kind: verify.TestRAT, Detected: true, Sampled: time.Date(2021, 2, 17, 0, 0, 0, 0, time.UTC), TestName: systemLOINC + "|94558-4"}
	if *c.Test != want {
		t.Errorf("test %+v, want %+v", *c.Test, want)
	}
	// A policy that refuses positive tests refuses it.
	pol := &verify.Policy{Accept: []verify.CredType{verify.TypeTest}}
	res = newVerifier().Verify(verify.Input{Texts: []string{jws}, Trust: trustKey(t, specIssuer, &key.PublicKey), Now: sdkNow, Policy: pol, CredentialOnly: pol == nil})
	if res.Reason != verify.ReasonPolicy || res.Rule != verify.RuleTestPositive {
		t.Errorf("with policy: %s (%s), want policy %s", res.Reason, res.Rule, verify.RuleTestPositive)
	}
}

func TestSeconds(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		err  bool
	}{
		{in: "1687450764", want: time.Unix(1687450764, 0)},
		{in: "1687450764.656", want: time.Unix(1687450764, 656e6)},
		{in: "1687450764.6", want: time.Unix(1687450764, 600e6)},
		{in: "1687450764.1234567891", want: time.Unix(1687450764, 123456789)},
		{in: "1.687450764656e9", want: time.Unix(1687450764, 656e6)},
		{in: "0", want: time.Unix(0, 0)},
		{in: "1739496673998", err: true},
		{in: "-5", err: true},
		{in: "1e300", err: true},
		{in: "1687450764.", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := seconds(jsonNumber(tt.in))
			if tt.err {
				if err == nil {
					t.Fatalf("got %v, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// Floats with an exponent are exact to the microsecond.
			if d := got.Sub(tt.want); d > time.Microsecond || d < -time.Microsecond {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
