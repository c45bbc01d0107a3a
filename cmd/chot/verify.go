package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/chot-dev/chot/verify"
)

// verifyOutput is the JSON object `chot verify --json` prints: the CLI
// contract of ARCHITECTURE.md.
type verifyOutput struct {
	Format    verify.Format                  `json:"format"`
	Decoded   bool                           `json:"decoded"`
	Text      string                         `json:"text"`
	Steps     map[verify.Step]verify.Outcome `json:"steps"`
	Signature string                         `json:"signature"`
	Decision  verify.Decision                `json:"decision"`
	Reason    verify.Reason                  `json:"reason"`
	Detail    string                         `json:"detail,omitempty"`
	Rule      string                         `json:"rule,omitempty"`
	// RuleDescription is an EU business rule's own description, by language.
	RuleDescription []verify.Text   `json:"rule_description,omitempty"`
	Kid             string          `json:"kid,omitempty"`
	Issuer          string          `json:"issuer,omitempty"`
	Type            verify.CredType `json:"type,omitempty"`
	Claims          map[string]any  `json:"claims,omitempty"`
	Warnings        []string        `json:"warnings,omitempty"`
}

// Signature states in the JSON output.
const (
	sigValid      = "valid"
	sigInvalid    = "invalid"
	sigUnknownKey = "unknown_key"
	sigNotChecked = "not_checked"
)

func newVerifyOutput(text string, r verify.Result) verifyOutput {
	out := verifyOutput{
		Format:          r.Format,
		Text:            text,
		Steps:           r.Steps,
		Decision:        r.Decision,
		Reason:          r.Reason,
		Detail:          r.Detail,
		Rule:            r.Rule,
		RuleDescription: r.RuleDescription,
		Issuer:          r.Issuer,
		Claims:          r.Claims,
		Warnings:        r.Warnings,
		Decoded:         r.Steps[verify.StepDecode] == verify.Pass,
	}
	if out.Steps == nil {
		out.Steps = map[verify.Step]verify.Outcome{}
	}
	out.Kid = r.KidText()
	out.Text = displayText(r.Format, text) // formats_flags.go
	if r.Credential != nil {
		out.Type = r.Credential.Type
	}
	switch {
	case r.Steps[verify.StepSignature] == verify.Pass:
		out.Signature = sigValid
	case r.Reason == verify.ReasonUnknownKey:
		out.Signature = sigUnknownKey
	case r.Reason == verify.ReasonUnsigned:
		out.Signature = sigNone
	case r.Steps[verify.StepSignature] == verify.Fail:
		out.Signature = sigInvalid
	default:
		out.Signature = sigNotChecked
	}
	return out
}

func cmdVerify(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "verify")
	var (
		certs, dscLists, jwks, texts multiFlag
		trustLists                   multiFlag
		bundle, root, at, policyFile string
		mode, trustListKey           string
		signerValidity, binding      string
		valueSets                    string
		asJSON, allowUnsigned        bool
	)
	fs.Var(&certs, "cert", "trust this DCC Document Signer Certificate (DER or PEM file); repeatable")
	fs.Var(&dscLists, "dsc-list", "trust the DSCs of this DCC signer list JSON; repeatable")
	fs.Var(&jwks, "jwks", "trust this SHC issuer's keys: ISSUER_URL=FILE (crl/<kid>.json beside it is read); repeatable")
	fs.Var(&trustLists, "trustlist", "trust the keys of this published trust list once its own signature checks with --trustlist-key "+
		"(the German gateway's signed DSC list, or a kind registered in verify/trust); repeatable")
	fs.StringVar(&trustListKey, "trustlist-key", "", "the pinned key the --trustlist lists must be signed with (PEM public key, or what the list's kind takes)")
	fs.BoolVar(&allowUnsigned, "trustlist-unsigned", false, "take a --trustlist that has no signature, or none checked (marked UNSIGNED)")
	fs.StringVar(&bundle, "trust", "", "trust the keys and revocations of this signed bundle")
	fs.StringVar(&root, "root", "", "the root public key the bundle must be signed by (with --trust)")
	fs.StringVar(&at, "at", "", "judge validity at this time (RFC 3339; no zone = UTC); default now")
	fs.StringVar(&policyFile, "policy", "", "apply the site rules of this policy file (YAML or JSON)")
	fs.StringVar(&valueSets, "valuesets", "", "check DCC coded fields against the EU value set files of this folder (a --trust bundle's own value sets apply too)")
	fs.StringVar(&signerValidity, "signer-validity", "", "how the DSC must cover a DCC: signing_time (valid at iat; the default) or strict (also exp ≤ its notAfter); a --policy mode's own setting wins")
	fs.StringVar(&binding, "issuer-binding", "", "a DCC whose DSC country is not its issuer's: refuse (the default) or warn; a --policy mode's own setting wins")
	fs.StringVar(&mode, "mode", "", "policy mode to apply (default: the file's only mode, or \"default\")")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object per credential")
	fs.Var(&texts, "text", "verify this text instead of INPUT; repeat for the chunks of one SMART Health Card")
	var ff formatFlags
	ff.register(fs, "key")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: chot verify [flags] INPUT   (INPUT: an image, a text/.smart-health-card file, or - for stdin)")
		fs.PrintDefaults()
	}
	if c := parseFlags(fs, args); c >= 0 {
		return c
	}
	var now time.Time
	if at == "" {
		now = e.now()
	} else {
		t, err := verify.ParseTime(at)
		if err != nil {
			return fail(e, "verify: --at: %v", err)
		}
		now = t
	}
	var inputs [][]string
	switch {
	case len(texts) > 0:
		if fs.NArg() > 0 {
			return fail(e, "verify: give --text or INPUT, not both")
		}
		inputs = [][]string{texts}
	case fs.NArg() == 1:
		var err error
		inputs, err = readInputs(e, fs.Arg(0))
		if err != nil {
			return fail(e, "verify: %v", err)
		}
	default:
		fs.Usage()
		return exitUsage
	}
	store, err := loadTrust(trustFlags{certs: certs, dscLists: dscLists, jwks: jwks, bundle: bundle, root: root,
		trustLists: trustLists, trustListKey: trustListKey, allowUnsigned: allowUnsigned, reportTo: e.stderr,
		valueSets: valueSets}, now)
	if err == nil {
		store, err = ff.addTo(store, now, e.stderr)
	}
	if err != nil {
		return fail(e, "verify: %v", err)
	}
	var pol *verify.Policy
	if policyFile != "" {
		if pol, err = loadPolicy(policyFile, mode); err != nil {
			return fail(e, "verify: %v", err)
		}
		bindBundleRules(pol, store)
	}
	opts := verify.Options{SignerValidity: signerValidity, IssuerBinding: binding}
	if err := opts.Check(); err != nil {
		return fail(e, "verify: %v", err)
	}
	v := newVerifier()
	code := exitOK
	for _, in := range inputs {
		var res verify.Result
		if len(in) == 0 {
			res.Reject(verify.ReasonNoQR, "no code found in the image")
			res.Decision = verify.Reject
		} else {
			// Without --policy only the credential is judged.
			res = v.Verify(verify.Input{Texts: in, Trust: store, Now: now, Policy: pol, CredentialOnly: pol == nil, Options: opts})
		}
		out := newVerifyOutput(strings.Join(in, "\n"), res)
		if asJSON {
			b, err := json.Marshal(out)
			if err != nil {
				return fail(e, "verify: %v", err)
			}
			fmt.Fprintf(e.stdout, "%s\n", b)
		} else {
			printVerify(e.stdout, out, now)
		}
		if res.Decision != verify.Accept {
			code = exitReject
		}
	}
	return code
}

// imageExts are the file types decoded as pictures.
var imageExts = []string{".png", ".jpg", ".jpeg", ".gif", ".bmp"}

// readInputs turns INPUT into the credentials to verify, each a list of texts.
// An image yields one credential (all the codes in it: the chunks of one
// card); stdin yields one credential per line, except that shc:/N/M chunks are
// gathered into one; a text file is one credential.
func readInputs(e *env, arg string) ([][]string, error) {
	if arg == "-" {
		return splitLines(e.stdin)
	}
	if slices.Contains(imageExts, strings.ToLower(filepath.Ext(arg))) {
		codes, err := decodeImageFile(arg)
		if err != nil {
			return nil, err
		}
		return [][]string{codes}, nil
	}
	b, err := os.ReadFile(arg)
	if err != nil {
		return nil, err
	}
	lines, err := splitLines(strings.NewReader(string(b)))
	if err != nil {
		return nil, err
	}
	if len(lines) > 1 && !strings.HasPrefix(verify.Clean(string(b)), "{") {
		return lines, nil
	}
	// A .smart-health-card file is one JSON document, maybe over many lines.
	return [][]string{{string(b)}}, nil
}

func splitLines(r io.Reader) ([][]string, error) {
	var out [][]string
	var chunks []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	for sc.Scan() {
		t := verify.Clean(sc.Text())
		if t == "" {
			continue
		}
		if isSHCChunk(t) {
			chunks = append(chunks, t)
			continue
		}
		out = append(out, []string{t})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(chunks) > 0 {
		out = append(out, chunks)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no input text")
	}
	return out, nil
}

// isSHCChunk reports whether t is one chunk of a multi-QR card: shc:/N/M/….
func isSHCChunk(t string) bool {
	rest, ok := strings.CutPrefix(t, "shc:/")
	return ok && strings.Count(rest, "/") >= 2
}

func printVerify(w io.Writer, o verifyOutput, now time.Time) {
	verdict := "REJECT"
	if o.Decision == verify.Accept {
		verdict = "ACCEPT"
	}
	fmt.Fprintf(w, "%s  %s", verdict, o.Reason)
	if o.Rule != "" {
		fmt.Fprintf(w, " (%s)", o.Rule)
	}
	if o.Detail != "" {
		fmt.Fprintf(w, ": %s", o.Detail)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  format %s, type %s, issuer %s, kid %s, signature %s, judged at %s\n",
		orDash(string(o.Format)), orDash(string(o.Type)), orDash(o.Issuer), orDash(o.Kid), o.Signature, now.UTC().Format(time.RFC3339))
	var steps []string
	for _, s := range stepOrder {
		if oc, ok := o.Steps[s]; ok {
			steps = append(steps, fmt.Sprintf("%s=%s", s, oc))
		}
	}
	fmt.Fprintf(w, "  steps  %s\n", strings.Join(steps, " "))
	for _, wn := range o.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", wn)
	}
}

var stepOrder = []verify.Step{
	verify.StepUnprefix, verify.StepBase45, verify.StepNumeric, verify.StepCompression, verify.StepCOSE,
	verify.StepDecode, verify.StepSchema, verify.StepSignature, verify.StepValidity, verify.StepKeyUsage,
	verify.StepRevocation, verify.StepPolicy,
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
