package main

import (
	"context"
	"fmt"
)

// cmdIssue dispatches `chot issue FORMAT`: it mints test credentials. Each
// format lives in its own file (issue_shc.go, issue_dcc.go).
func cmdIssue(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(e.stderr, "usage: chot issue FORMAT [flags]   (FORMAT: shc, dcc, qr)\n\nrun 'chot issue FORMAT -h' for its flags")
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	switch args[0] {
	case "shc":
		return cmdIssueSHC(ctx, e, args[1:])
	case "dcc":
		return cmdIssueDCC(ctx, e, args[1:])
	case "qr":
		return cmdIssueQR(ctx, e, args[1:])
	default:
		return fail(e, "issue: unknown format %q (want shc, dcc or qr)", args[0])
	}
}
