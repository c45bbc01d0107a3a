package main

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func dccRun(t *testing.T, now time.Time, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), &env{
		stdin: strings.NewReader(""), stdout: &out, stderr: &errb, args: args,
		now: func() time.Time { return now },
	})
	return code, out.String(), errb.String()
}

// TestIssueDCC mints DCCs with the CLI and checks them with `chot verify`.
func TestIssueDCC(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	key, cert := filepath.Join(dir, "k.pem"), filepath.Join(dir, "c.pem")
	pic := filepath.Join(dir, "v.png")
	code, vacc, stderr := dccRun(t, now, "issue", "dcc", "--key", key, "--cert", cert, "--gen-key", "--eku", "vaccination",
		"--type", "vaccination", "--dose", "1/2", "--png", pic)
	if code != exitOK || !strings.HasPrefix(vacc, "HC1:") {
		t.Fatalf("issue: exit %d, stdout %q, stderr %s", code, vacc, stderr)
	}
	f, err := os.Open(pic)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil || img.Bounds().Dx() < 100 {
		t.Fatalf("png: %v %v", err, img)
	}
	_, test, _ := dccRun(t, now, "issue", "dcc", "--key", key, "--cert", cert, "--type", "test")

	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"vaccination", []string{"--text", strings.TrimSpace(vacc)}, exitOK, `"reason":"ok"`},
		{"test with a vaccination-only DSC", []string{"--text", strings.TrimSpace(test)}, exitReject, `"reason":"key_usage"`},
		{"expired", []string{"--at", "2026-06-02T10:00:00Z", "--text", strings.TrimSpace(vacc)}, exitReject, `"reason":"expired"`},
		{"qr picture", []string{pic}, exitOK, `"type":"vaccination"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"verify", "--json", "--cert", cert}, tt.args...)
			code, out, stderr := dccRun(t, now, args...)
			if code != tt.code || !strings.Contains(out, tt.want) {
				t.Errorf("exit %d, want %d; stdout %s; stderr %s", code, tt.code, out, stderr)
			}
		})
	}
	for _, bad := range [][]string{
		{"issue", "dcc"},
		{"issue", "dcc", "--key", key, "--cert", cert, "--type", "permit"},
		{"issue", "dcc", "--key", key, "--cert", cert, "--dose", "two"},
	} {
		if code, _, _ := dccRun(t, now, bad...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", bad, code, exitUsage)
		}
	}
}
