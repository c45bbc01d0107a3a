package imgset

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/fxamacker/cbor/v2"

	"github.com/chot-dev/chot/verify/dcc"
)

// Photo is one picture of a real set under the shared test data.
type Photo struct {
	// Set is "boofcv", "blackbox" or "dcc-qa".
	Set string
	// Group is the BoofCV category, the black-box folder or the issuer.
	Group string
	Path  string
	// Codes is how many codes the picture holds (BoofCV's labels; 1
	// otherwise, 4 for multi-qrcode-1).
	Codes int
	// Want is the expected text, when known (black-box).
	Want string
	// Also are the texts of further codes known to be in the picture
	// besides Want: not scored, not misreads (blackboxAlso).
	Also []string
	// Check, when set, says whether a text is the picture's (dcc-qa: it
	// opens to the manifest's kid, iat and exp).
	Check func(text string) bool
}

// BoofCV lists the photos of qr-photos/boofcv under root (the shared test
// data folder) with their labelled code counts, by category then name.
func BoofCV(root string) ([]Photo, error) {
	dir := filepath.Join(root, "qr-photos", "boofcv")
	cats, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("imgset: %w", err)
	}
	var out []Photo
	for _, c := range cats {
		if !c.IsDir() {
			continue
		}
		imgs, _ := filepath.Glob(filepath.Join(dir, c.Name(), "*.jpg"))
		pngs, _ := filepath.Glob(filepath.Join(dir, c.Name(), "*.png"))
		imgs = append(imgs, pngs...)
		slices.Sort(imgs)
		for _, p := range imgs {
			n, err := boofLabels(strings.TrimSuffix(p, filepath.Ext(p)) + ".txt")
			if err != nil {
				return nil, err
			}
			out = append(out, Photo{Set: "boofcv", Group: c.Name(), Path: p, Codes: n})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("imgset: no photos under %s", dir)
	}
	return out, nil
}

// boofLabels counts the codes of a BoofCV label file: four corners (eight
// numbers) a code, written either as x y a line or as one code a line after
// a SETS keyword; comments (#) and keywords skipped.
func boofLabels(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("imgset: %w", err)
	}
	nums := 0
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if _, err := strconv.ParseFloat(f[0], 64); err == nil {
			nums += len(f)
		}
	}
	if nums == 0 || nums%8 != 0 {
		return 0, fmt.Errorf("imgset: %s: %d coordinates, not four corners a code", path, nums)
	}
	return nums / 8, nil
}

// Blackbox lists ZXing's black-box photos under root with the expected text
// beside each (multi-qrcode-1 has none: it holds 4 codes).
func Blackbox(root string) ([]Photo, error) {
	dir := filepath.Join(root, "qr-photos", "zxing-blackbox")
	sets, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("imgset: %w", err)
	}
	var out []Photo
	for _, s := range sets {
		if !s.IsDir() {
			continue
		}
		files, _ := os.ReadDir(filepath.Join(dir, s.Name()))
		for _, f := range files {
			ext := strings.ToLower(filepath.Ext(f.Name()))
			if ext != ".png" && ext != ".jpg" && ext != ".jpeg" && ext != ".gif" {
				continue
			}
			p := filepath.Join(dir, s.Name(), f.Name())
			ph := Photo{Set: "blackbox", Group: s.Name(), Path: p, Codes: 1}
			want, err := os.ReadFile(strings.TrimSuffix(p, filepath.Ext(p)) + ".txt")
			switch {
			case err == nil:
				ph.Want = string(want)
				ph.Also = blackboxAlso[s.Name()+"/"+f.Name()]
			case s.Name() == "multi-qrcode-1":
				ph.Codes = 4
			default:
				continue
			}
			out = append(out, ph)
		}
	}
	return out, nil
}

// blackboxAlso lists the black-box pictures that hold a second code besides
// the one ZXing's test expects. qrcode-2/16.png is a "double QR" (ダブルQR)
// sample: a small code printed inside a large one. The expected text begins
// "[外側QRコード]" ("outer QR code"); the inner code's text begins
// "[内側QRコード]" ("inner QR code") and points at the same page; zxing-cpp,
// zbar and chot all read it.
var blackboxAlso = map[string][]string{
	"qrcode-2/16.png": {"[内側QRコード]\r\n\r\n*ダブルQR*\r\nhttp://d-qr.net/ex/"},
}

// DCCQA lists dcc-qa-dev's pictures; each one's Check accepts only the HC1
// text whose kid, iat and exp are the manifest's.
func DCCQA(root string) ([]Photo, error) {
	dir := filepath.Join(root, "dcc-qa-dev")
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("imgset: %w", err)
	}
	var man []struct {
		Img      string
		Iat, Exp int64
		Kid      string
	}
	if err := json.Unmarshal(b, &man); err != nil {
		return nil, fmt.Errorf("imgset: dcc-qa manifest: %w", err)
	}
	out := make([]Photo, 0, len(man))
	for _, e := range man {
		out = append(out, Photo{Set: "dcc-qa", Group: strings.SplitN(e.Img, "/", 2)[0], Path: filepath.Join(dir, e.Img), Codes: 1,
			Check: func(text string) bool {
				kid, iat, exp, err := HC1Claims(text)
				return err == nil && kid == e.Kid && iat == e.Iat && exp == e.Exp
			}})
	}
	return out, nil
}

// HC1Claims opens an HC1 text down to its CWT: the kid (protected header,
// else unprotected, base64) and the iat and exp claims. It checks no
// signature: it says which credential a text is.
func HC1Claims(text string) (kid string, iat, exp int64, err error) {
	if !strings.HasPrefix(text, "HC1:") {
		return "", 0, 0, fmt.Errorf("imgset: not an HC1 text")
	}
	b, err := dcc.DecodeBase45(text[4:])
	if err != nil {
		return "", 0, 0, err
	}
	if zr, zerr := zlib.NewReader(bytes.NewReader(b)); zerr == nil {
		if b, err = io.ReadAll(zr); err != nil {
			return "", 0, 0, err
		}
	}
	var tagged cbor.Tag
	if cbor.Unmarshal(b, &tagged) == nil && tagged.Number == 18 {
		if b, err = cbor.Marshal(tagged.Content); err != nil {
			return "", 0, 0, err
		}
	}
	var msg struct {
		_           struct{} `cbor:",toarray"`
		Protected   []byte
		Unprotected map[int]cbor.RawMessage
		Payload     []byte
		Signature   []byte
	}
	if err := cbor.Unmarshal(b, &msg); err != nil {
		return "", 0, 0, err
	}
	var hdr map[int]cbor.RawMessage
	if len(msg.Protected) > 0 {
		if err := cbor.Unmarshal(msg.Protected, &hdr); err != nil {
			return "", 0, 0, err
		}
	}
	raw, ok := hdr[4]
	if !ok {
		raw = msg.Unprotected[4]
	}
	var k []byte
	if err := cbor.Unmarshal(raw, &k); err != nil {
		return "", 0, 0, fmt.Errorf("imgset: kid: %w", err)
	}
	var claims map[int]cbor.RawMessage
	if err := cbor.Unmarshal(msg.Payload, &claims); err != nil {
		return "", 0, 0, err
	}
	var fi, fe float64
	if cbor.Unmarshal(claims[6], &fi) != nil || cbor.Unmarshal(claims[4], &fe) != nil {
		return "", 0, 0, fmt.Errorf("imgset: no iat/exp claims")
	}
	return base64.StdEncoding.EncodeToString(k), int64(fi), int64(fe), nil
}
