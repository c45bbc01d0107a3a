package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chot-dev/chot/scanner"
	"github.com/chot-dev/chot/verify/divoc"
)

// decodeOutput is one line of `chot decode --json`: ARCHITECTURE.md's contract.
type decodeOutput struct {
	File  string   `json:"file"`
	Found bool     `json:"found"`
	Texts []string `json:"texts"`
	US    int64    `json:"us"`
}

func cmdDecode(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "decode")
	asJSON := fs.Bool("json", false, "print one JSON object a line: {file, found, texts, us}")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: chot decode [--json] IMAGE...")
		fs.PrintDefaults()
	}
	if c := parseFlags(fs, args); c >= 0 {
		return c
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitUsage
	}
	dec := scanner.NewDecoder(scanner.Options{})
	code := exitOK
	for _, path := range fs.Args() {
		if ctx.Err() != nil {
			return fail(e, "decode: %v", ctx.Err())
		}
		img, err := scanner.LoadImage(path)
		if err != nil {
			fmt.Fprintf(e.stderr, "chot: decode: %v\n", err)
			code = exitUsage
			continue
		}
		start := time.Now()
		texts, err := dec.DecodeImage(img)
		us := time.Since(start).Microseconds()
		if err != nil && !errors.Is(err, scanner.ErrNoCode) {
			fmt.Fprintf(e.stderr, "chot: decode: %s: %v\n", path, err)
			code = exitUsage
			continue
		}
		for i, t := range texts {
			texts[i] = printable(t)
		}
		out := decodeOutput{File: path, Found: len(texts) > 0, Texts: texts, US: us}
		if out.Texts == nil {
			out.Texts = []string{}
		}
		if *asJSON {
			b, err := json.Marshal(out)
			if err != nil {
				return fail(e, "decode: %v", err)
			}
			fmt.Fprintf(e.stdout, "%s\n", b)
			continue
		}
		if !out.Found {
			fmt.Fprintf(e.stdout, "%s: no code (%d µs)\n", path, us)
			continue
		}
		fmt.Fprintf(e.stdout, "%s: %d code(s) (%d µs)\n", path, len(texts), us)
		for _, t := range texts {
			fmt.Fprintf(e.stdout, "  %s\n", t)
		}
	}
	return code
}

// printable is a decoded text as decode prints it: a binary DIVOC ZIP (a
// CoWIN QR code) is shown in the "B64:" form the WHO's vectors use, which
// `chot verify` takes too; raw, it is no text a terminal or JSON can carry.
func printable(text string) string {
	if strings.HasPrefix(text, "PK\x03\x04") {
		return divoc.Prefix + base64.StdEncoding.EncodeToString([]byte(text))
	}
	return text
}
