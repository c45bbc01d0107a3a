package bench

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/chot-dev/chot/bench/imgset"
)

// Main is the command line of `chot bench decode` and bench/compare: it runs
// engines side by side on the generated set (DIR, generated there when it
// has no manifest) and on the real pictures under -testdata, and prints the
// tables. streamOnly engines (a streaming decoder) run on the generated set
// only: real photos are single pictures. It returns the exit status.
func Main(args []string, stdout, stderr io.Writer, engines, streamOnly []Engine) int {
	flags := flag.NewFlagSet("bench decode", flag.ContinueOnError)
	flags.SetOutput(stderr)
	gen := flags.Bool("gen", false, "generate the set into DIR first (done anyway when DIR has no manifest)")
	seed := flags.Uint64("seed", 1, "with -gen: the set's random seed")
	variants := flags.Int("variants", 3, "with -gen: pictures per resolution, payload and distortion")
	runs := flags.Int("runs", 3, "generated set: decode each picture this many times, keep the fastest")
	testdata := flags.String("testdata", "", "the shared test data folder (qr-photos/, dcc-qa-dev/); empty: generated set only")
	sets := flags.String("sets", "boofcv,blackbox,dcc-qa", "real sets to run, comma-separated")
	only := flags.String("only", "", "real sets: only groups (categories, folders) whose name contains this")
	every := flags.Int("every", 1, "real sets: one picture in this many (trial runs)")
	maxSide := flags.Int("maxside", 0, "real sets: shrink pictures to this longer side first (trial runs); 0: as they are")
	verbose := flags.Bool("v", false, "a line per real picture on stderr")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "usage: bench decode [flags] [DIR]\n\nDecodes the generated set of camera-like pictures in DIR (made there if it has\nno manifest.json) and, with -testdata, the real photos (BoofCV's set scored as\nBoofCV scores it, ZXing's black-box photos) and DCC pictures; prints Markdown\ntables, each engine a column, all in one run.")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if flags.NArg() > 1 || (flags.NArg() == 0 && *testdata == "") {
		flags.Usage()
		return 2
	}
	if flags.NArg() == 1 {
		dir := flags.Arg(0)
		if _, err := os.Stat(filepath.Join(dir, imgset.ManifestName)); *gen || errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(stderr, "generating the set into %s…\n", dir)
			if _, err := imgset.Generate(dir, imgset.Options{Seed: *seed, Variants: *variants}); err != nil {
				fmt.Fprintln(stderr, "bench:", err)
				return 1
			}
		}
		man, err := imgset.Load(dir)
		if err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return 1
		}
		res, err := Run(dir, man, slices.Concat(engines[:1], streamOnly, engines[1:]), *runs)
		if err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return 1
		}
		fmt.Fprintln(stdout, "## Generated set")
		fmt.Fprintln(stdout)
		WriteTable(stdout, res)
		fmt.Fprintln(stdout)
	}
	if *testdata == "" {
		return 0
	}
	var photos []imgset.Photo
	for _, s := range strings.Split(*sets, ",") {
		var ps []imgset.Photo
		var err error
		switch s {
		case "boofcv":
			ps, err = imgset.BoofCV(*testdata)
		case "blackbox":
			ps, err = imgset.Blackbox(*testdata)
		case "dcc-qa":
			ps, err = imgset.DCCQA(*testdata)
		default:
			err = fmt.Errorf("unknown set %q", s)
		}
		if err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return 1
		}
		for i, p := range ps {
			if i%max(1, *every) == 0 && strings.Contains(p.Group, *only) {
				photos = append(photos, p)
			}
		}
	}
	o := PhotoOptions{MaxSide: *maxSide}
	if *verbose {
		o.Progress = stderr
	}
	res, err := RunPhotos(photos, engines, o)
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	fmt.Fprintln(stdout, "## Real pictures")
	fmt.Fprintln(stdout)
	WritePhotoTables(stdout, res)
	return 0
}
