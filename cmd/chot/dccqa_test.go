package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/trust"
)

var dccQA = filepath.Join("..", "..", "..", "shared", "testdata", "dcc-qa-dev")

// qaRefusalsFile lists the dcc-qa-dev codes chot refuses, each with its
// reason and the evidence that the refusal is right.
const qaRefusalsFile = "testdata/dcc-qa-dev-refusals.csv"

type qaEntry struct {
	Img string `json:"img"`
	Iat int64  `json:"iat"`
	Exp int64  `json:"exp"`
	Kid string `json:"kid"`
}

// TestDCCQADev verifies every real national code of dcc-qa-dev (217
// pictures, 40 issuers) as `chot verify` does: the picture decoded by the
// scanner, the merged acceptance list (755 DSCs, 16 of them with negative
// serials: no GODEBUG is set) as trust, the default signer validity
// (signing_time) and issuer binding (refuse), at iat + 60 s. Every code is
// accepted except those testdata/dcc-qa-dev-refusals.csv lists, each with
// its reason and evidence; a listed code that is accepted, or refused for
// another reason, fails the test.
func TestDCCQADev(t *testing.T) {
	if strings.Contains(os.Getenv("GODEBUG"), "x509negativeserial") {
		t.Fatal("run without GODEBUG=x509negativeserial: chot must read the list without it")
	}
	b, err := os.ReadFile(filepath.Join(dccQA, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var manifest []qaEntry
	if err := json.Unmarshal(b, &manifest); err != nil {
		t.Fatal(err)
	}
	if len(manifest) != 217 {
		t.Fatalf("manifest has %d pictures, want 217", len(manifest))
	}
	store, reports, err := trust.LoadLists([]string{filepath.Join(dccQA, "trustlist", "dsc_acc_union.json")}, nil, nil, trust.TrustListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if store.KeyCount() != 755 || len(reports[0].Skipped) != 0 {
		t.Fatalf("union: %d keys, %d skipped; want all 755", store.KeyCount(), len(reports[0].Skipped))
	}
	vsets, err := trust.LoadValueSets(filepath.Join(dccQA, "..", "valuesets"))
	if err != nil {
		t.Fatal(err)
	}
	store = trust.Merge(store, vsets)
	want := readQARefusals(t)
	v := newVerifier()
	got := map[string]verify.Reason{}
	details := map[string]string{}
	strictRefused := 0
	for _, m := range manifest {
		texts, err := decodeImageFile(filepath.Join(dccQA, m.Img))
		if err != nil {
			t.Fatalf("%s: %v", m.Img, err)
		}
		now := time.Unix(m.Iat+60, 0).UTC()
		var res verify.Result
		if len(texts) == 0 {
			res.Reject(verify.ReasonNoQR, "no code found in the picture")
		} else {
			res = v.Verify(verify.Input{Texts: texts, Trust: store, Now: now, CredentialOnly: true})
		}
		if res.Decision == verify.Accept {
			got[m.Img] = verify.ReasonOK
		} else {
			got[m.Img] = res.Reason
		}
		details[m.Img] = res.Detail
		if res.Reason == verify.ReasonOK && res.KidText() != m.Kid {
			t.Errorf("%s: accepted with kid %s, the manifest says %s", m.Img, res.KidText(), m.Kid)
		}
		if m.Img == "FJ/1.3.0/TEST_FJ.png" && res.Steps[verify.StepSchema] != verify.Pass {
			t.Errorf("%s: a 1.3.0 test without tc: schema step %q, want pass", m.Img, res.Steps[verify.StepSchema])
		}
		// The strict signer validity refuses exactly the codes whose exp is
		// past their DSC's notAfter.
		if len(texts) > 0 && res.Decision == verify.Accept {
			strict := v.Verify(verify.Input{Texts: texts, Trust: store, Now: now, CredentialOnly: true,
				Options: verify.Options{SignerValidity: verify.SignerStrict}})
			outlives := false
			for _, k := range store.Keys(verify.FormatDCC, "", res.Kid) {
				outlives = outlives || time.Unix(m.Exp, 0).After(k.NotAfter)
			}
			if (strict.Reason == verify.ReasonExpired) != outlives {
				t.Errorf("%s: strict gives %s (%s); exp after the DSC's notAfter: %v", m.Img, strict.Reason, strict.Detail, outlives)
			}
			if outlives {
				strictRefused++
			}
		}
	}
	counts := map[verify.Reason]int{}
	var lines []string
	for _, m := range manifest {
		r := got[m.Img]
		counts[r]++
		w, listed := want[m.Img]
		switch {
		case r == verify.ReasonOK && listed:
			t.Errorf("%s: accepted, but %s lists it as refused (%s)", m.Img, qaRefusalsFile, w.reason)
		case r != verify.ReasonOK && !listed:
			t.Errorf("%s: refused, %s: %s; not in %s (a genuine code turned away, or an unlisted refusal)", m.Img, r, details[m.Img], qaRefusalsFile)
		case listed && r != w.reason:
			t.Errorf("%s: refused with %s (%s), %s says %s", m.Img, r, details[m.Img], qaRefusalsFile, w.reason)
		}
		if r != verify.ReasonOK {
			lines = append(lines, fmt.Sprintf("%s\t%s\t%s", m.Img, r, details[m.Img]))
		}
	}
	for img := range want {
		if _, ok := got[img]; !ok {
			t.Errorf("%s lists %s, which is not in the manifest", qaRefusalsFile, img)
		}
	}
	var summary []string
	for r, n := range counts {
		summary = append(summary, fmt.Sprintf("%s %d", r, n))
	}
	sort.Strings(summary)
	t.Logf("dcc-qa-dev: %d codes at iat+60s: %s; the strict signer validity would also refuse %d", len(manifest), strings.Join(summary, ", "), strictRefused)
	for _, l := range lines {
		t.Log(l)
	}
}

type qaRefusal struct {
	reason   verify.Reason
	evidence string
}

func readQARefusals(t *testing.T) map[string]qaRefusal {
	t.Helper()
	f, err := os.Open(qaRefusalsFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]qaRefusal{}
	for i, row := range rows {
		if i == 0 {
			continue
		}
		if len(row) != 3 || row[2] == "" {
			t.Fatalf("%s row %d: want img,reason,evidence", qaRefusalsFile, i+1)
		}
		out[row[0]] = qaRefusal{verify.Reason(row[1]), row[2]}
	}
	return out
}

// TestVerifyCLIRealCode: `chot verify` on a real picture with the merged
// list says what the list gave and accepts the code.
func TestVerifyCLIRealCode(t *testing.T) {
	img := filepath.Join(dccQA, "VN", "1.3.0", "VAC_VN.png")
	if _, err := os.Stat(img); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dccQA, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var manifest []qaEntry
	if err := json.Unmarshal(b, &manifest); err != nil {
		t.Fatal(err)
	}
	var iat int64
	for _, m := range manifest {
		if m.Img == "VN/1.3.0/VAC_VN.png" {
			iat = m.Iat
		}
	}
	at := time.Unix(iat+60, 0).UTC().Format(time.RFC3339)
	list := filepath.Join(dccQA, "trustlist", "dsc_acc_union.json")
	code, stdout, stderr := runCLI(t, "", "verify", "--dsc-list", list, "--at", at, img)
	if code != exitOK || !strings.HasPrefix(stdout, "ACCEPT") || !strings.Contains(stderr, "755 taken, 0 skipped") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	// Strict: Vietnam's own code expires after its DSC.
	code, stdout, _ = runCLI(t, "", "verify", "--dsc-list", list, "--at", at, "--signer-validity", "strict", img)
	if code != exitReject || !strings.Contains(stdout, "expired") {
		t.Fatalf("strict: exit %d\n%s", code, stdout)
	}
}
