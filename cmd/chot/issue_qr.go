package main

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// cmdIssueQR writes any text as a QR code picture: the chunks of an SHC from
// `chot issue shc`, or a deliberately broken code for tests and the demo.
func cmdIssueQR(_ context.Context, e *env, args []string) int {
	fs := newFlags(e, "issue qr")
	text := fs.String("text", "", "the text to encode; default: standard input (one QR per line, named PNG-1.png, PNG-2.png, … when several)")
	pngFile := fs.String("png", "", "write the QR code to this PNG file (required)")
	scale := fs.Int("scale", 4, "pixels per QR module")
	if c := parseFlags(fs, args); c >= 0 {
		return c
	}
	if *pngFile == "" || fs.NArg() > 0 {
		fmt.Fprintln(e.stderr, "usage: chot issue qr --png FILE [--text TEXT | < TEXT]")
		return exitUsage
	}
	lines := []string{*text}
	if *text == "" {
		b, err := io.ReadAll(io.LimitReader(e.stdin, 1<<20))
		if err != nil {
			return fail(e, "issue qr: %v", err)
		}
		lines = nil
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				lines = append(lines, l)
			}
		}
		if len(lines) == 0 {
			return fail(e, "issue qr: no text on standard input")
		}
	}
	for i, l := range lines {
		name := *pngFile
		if len(lines) > 1 {
			name = strings.TrimSuffix(name, ".png") + fmt.Sprintf("-%d.png", i+1)
		}
		if err := writeQRPNG(name, l, *scale); err != nil {
			return fail(e, "issue qr: %v", err)
		}
	}
	return exitOK
}
