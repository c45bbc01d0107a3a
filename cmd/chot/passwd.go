package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/chot-dev/chot/status"
)

// cmdPasswd prints the hash of an admin password for chotd's config
// (status.admin_password_hash). The password is read from standard input so
// it stays out of the shell history and the process list.
func cmdPasswd(_ context.Context, e *env, args []string) int {
	fs := newFlags(e, "passwd")
	fs.Usage = func() { fmt.Fprintln(e.stderr, "usage: chot passwd < password-file   (prints the bcrypt hash)") }
	if c := parseFlags(fs, args); c >= 0 {
		return c
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && line == "" {
		return fail(e, "passwd: read the password from standard input: %v", err)
	}
	h, err := status.HashPassword(strings.TrimRight(line, "\r\n"))
	if err != nil {
		return fail(e, "passwd: %v", err)
	}
	fmt.Fprintln(e.stdout, h)
	return exitOK
}
