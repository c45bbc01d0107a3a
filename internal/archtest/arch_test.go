package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/chot-dev/chot"

// pkg is one package of the module as parsed from its non-test files.
type pkg struct {
	path    string // import path
	dir     string
	imports map[string][]string // import path → files importing it
	hasDoc  bool
	files   map[string]*ast.File
	fset    *token.FileSet
}

func loadPackages(t *testing.T) []*pkg {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	var out []*pkg
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if p != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "var" || name == "node_modules") {
			return filepath.SkipDir
		}
		fset := token.NewFileSet()
		ents, err := os.ReadDir(p)
		if err != nil {
			return err
		}
		k := &pkg{dir: p, imports: map[string][]string{}, files: map[string]*ast.File{}, fset: fset}
		for _, e := range ents {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, filepath.Join(p, e.Name()), nil, parser.ParseComments)
			if err != nil {
				return err
			}
			k.files[e.Name()] = f
			if f.Doc != nil && strings.TrimSpace(f.Doc.Text()) != "" {
				k.hasDoc = true
			}
			for _, im := range f.Imports {
				ip, _ := strconv.Unquote(im.Path.Value)
				k.imports[ip] = append(k.imports[ip], e.Name())
			}
		}
		if len(k.files) == 0 {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		k.path = module
		if rel != "." {
			k.path = module + "/" + filepath.ToSlash(rel)
		}
		out = append(out, k)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 3 {
		t.Fatalf("found only %d packages: is the walk rooted right?", len(out))
	}
	return out
}

func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// rule forbids packages under from importing any path under a forbidden prefix.
type rule struct {
	from      string
	forbidden []string
	why       string
}

var rules = []rule{
	{module + "/verify", []string{"net", "os/exec", "go.etcd.io/bbolt", "periph.io", "gocv.io", module + "/store", module + "/sync", module + "/hw", module + "/checkpoint", module + "/scanner"},
		"verify is pure: no network, no bbolt, no hardware, no camera"},
	{module + "/checkpoint", []string{module + "/store", module + "/hw", module + "/sync", "go.etcd.io/bbolt", "periph.io", "net"},
		"checkpoint declares the interfaces it consumes; the wiring in cmd/chotd supplies store and hw"},
	{module + "/scanner", []string{module + "/verify", module + "/store", module + "/sync", "net"},
		"scanner only turns frames into text"},
	{module + "/store", []string{module + "/sync", module + "/verify", module + "/hw", module + "/checkpoint", "net"},
		"store only keeps bytes durable"},
	{module + "/record", []string{module + "/"}, "record is a leaf"},
	{module + "/hw", []string{module + "/store", module + "/sync", module + "/checkpoint", "net"}, "hw only drives pins"},
	{module + "/sync/wire", []string{module + "/store", module + "/sync/hub", module + "/sync/uplink", "go.etcd.io/bbolt"}, "wire is shared by both ends"},
	{module + "/sync/hub", []string{module + "/store", module + "/sync/uplink", module + "/hw", module + "/checkpoint", "go.etcd.io/bbolt"}, "the hub is a server of its own"},
}

func TestLayering(t *testing.T) {
	for _, p := range loadPackages(t) {
		for ip, files := range p.imports {
			if under(ip, module+"/cmd") {
				t.Errorf("%s imports %s (%v): no package imports a cmd", p.path, ip, files)
			}
			for _, r := range rules {
				if !under(p.path, r.from) {
					continue
				}
				for _, f := range r.forbidden {
					if under(ip, f) || (strings.HasSuffix(f, "/") && strings.HasPrefix(ip, f)) {
						t.Errorf("%s imports %s (%v): %s", p.path, ip, files, r.why)
					}
				}
			}
		}
	}
}

// mintPackages make test credentials. Only the CLI (`chot issue`) and
// tests may use them, so that no production binary can sign a credential;
// and they import no verifier package, so that the verifiers' own tests can
// use them and what the tests sign is not encoded by the decoder under test.
var mintPackages = map[string]string{
	module + "/verify/dcc/dccmint": module + "/verify/dcc",
	module + "/verify/shc/shcmint": module + "/verify/shc",
}

func TestMintOnlyInTools(t *testing.T) {
	pkgs := loadPackages(t)
	seen := 0
	for _, p := range pkgs {
		if verifier, ok := mintPackages[p.path]; ok {
			seen++
			for ip, files := range p.imports {
				if ip == verifier {
					t.Errorf("%s imports %s (%v): a mint package stays independent of the verifier it feeds", p.path, ip, files)
				}
			}
			continue
		}
		if under(p.path, module+"/cmd/chot") {
			continue
		}
		for ip, files := range p.imports {
			if _, ok := mintPackages[ip]; ok {
				t.Errorf("%s imports %s (%v): only cmd/chot and tests may mint credentials", p.path, ip, files)
			}
		}
	}
	if seen != len(mintPackages) {
		t.Errorf("found %d of the %d mint packages: update mintPackages", seen, len(mintPackages))
	}
}

func TestPackageDocs(t *testing.T) {
	for _, p := range loadPackages(t) {
		if !p.hasDoc {
			t.Errorf("%s (%s) has no package doc comment", p.path, p.dir)
		}
	}
}

// TestNoWallClockInVerify checks that verification code takes now as an
// argument: no call of time.Now or time.Since under verify/.
func TestNoWallClockInVerify(t *testing.T) {
	for _, p := range loadPackages(t) {
		if !under(p.path, module+"/verify") {
			continue
		}
		for name, f := range p.files {
			ast.Inspect(f, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == "time" && (sel.Sel.Name == "Now" || sel.Sel.Name == "Since" || sel.Sel.Name == "Until") {
					t.Errorf("%s/%s:%d calls time.%s: verification takes now as an argument",
						p.path, name, p.fset.Position(sel.Pos()).Line, sel.Sel.Name)
				}
				return true
			})
		}
	}
}
