package checkpoint

import (
	"regexp"

	"github.com/chot-dev/chot/verify"
)

// shcChunk is the prefix of one chunk of a multi-QR SMART Health Card.
var shcChunk = regexp.MustCompile(`^shc:/[0-9]+/[0-9]+/`)

// credentials splits the texts of one scan (every code in view) into the
// credentials they carry, in the order scanned: the chunks of a multi-QR
// SMART Health Card together, every other text on its own (France prints two
// codes on one certificate; a phone may show two cards).
func credentials(texts []string) [][]string {
	var out [][]string
	chunks := -1 // index in out of the SMART Health Card chunks
	for _, t := range texts {
		if shcChunk.MatchString(verify.Clean(t)) {
			if chunks < 0 {
				chunks = len(out)
				out = append(out, nil)
			}
			out[chunks] = append(out[chunks], t)
			continue
		}
		out = append(out, []string{t})
	}
	return out
}

// verifyFirst verifies each credential of a scan in turn and decides on the
// first that is accepted; when none is, on the first credential's result
// (the reason the traveller hears is about the code scanned first).
func (c *Checkpoint) verifyFirst(in verify.Input) verify.Result {
	creds := credentials(in.Texts)
	if len(creds) <= 1 {
		return c.d.Verifier.Verify(in)
	}
	var first verify.Result
	for i, texts := range creds {
		in.Texts = texts
		res := c.d.Verifier.Verify(in)
		if res.Decision == verify.Accept {
			return res
		}
		if i == 0 {
			first = res
		}
	}
	return first
}
