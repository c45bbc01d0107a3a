package scanner

import (
	"bytes"
	"compress/zlib"
	"testing"

	"github.com/chot-dev/chot/verify/dcc/dccmint"
)

func TestPlausible(t *testing.T) {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte("a COSE message would be here"))
	zw.Close()
	good := dccmint.EncodeBase45(z.Bytes())
	broken := z.Bytes()
	broken[len(broken)-1] ^= 1 // the Adler-32 checksum
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"HC1:" + good, true},
		{"HC1:" + dccmint.EncodeBase45(broken), false},
		{"HC1:" + dccmint.EncodeBase45([]byte("not compressed")), true},
		{"HC1:not base45 at all!", false},
		{"HC1:A", false},   // a dangling character
		{"HC1:GGW", false}, // 45³-1 is above 0xffff
		{"shc:/567629095243206034602924374044603122295953265460346029254077280433602870286471674522280928613331456437653141590640220306450459085643550341424541364037063665417137241236380304375622046737407532323925433443326057360106452931531270742428395038692212766728666731266342087422573776302062041022437658685343255820002167287607585708105505622752282407670809680507692361773323356634342439664440596761410443377667202663224433674530596175400038397052612140292974753658337372662132066669047253044469405210524536242721550377673434280323045475690310233670562227414567090555653507636250537239522776211205312561442568282012726838630837232022056025233506062531035527226537622835006034", true},
		{"shc:/2/3/5676", true},
		{"shc:/5699", false}, // 99 is not a base64url character
		{"shc:/567", false},
		{"any other text", true},
	} {
		if got := plausible(tc.text); got != tc.want {
			t.Errorf("plausible(%.30q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}
