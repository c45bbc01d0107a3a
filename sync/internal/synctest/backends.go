package synctest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/chot-dev/chot/sync/hub"
)

// PostgresEnv names the variable holding a postgres:// URL for tests.
const PostgresEnv = "CHOT_TEST_POSTGRES"

// Backend is one hub storage implementation.
type Backend struct {
	Name string
	// New prepares a fresh, empty database for t and returns its DSN
	// (hub.OpenStorage opens it; opening it again is a hub restart).
	New func(t testing.TB) string
}

// Backends is the table every storage test runs over.
var Backends = []Backend{
	{Name: "sqlite", New: func(t testing.TB) string {
		return filepath.Join(t.TempDir(), "hub.db")
	}},
	{Name: "postgres", New: newPostgres},
}

// Open opens dsn and closes it when t ends.
func Open(t testing.TB, dsn string) hub.Storage {
	t.Helper()
	st, err := hub.OpenStorage(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open storage: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// newPostgres creates a schema of its own for t in the CHOT_TEST_POSTGRES
// database and returns a URL whose search_path points at it. Without the
// variable the test fails under CI=true and is skipped otherwise.
func newPostgres(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is unset: CI must provide a PostgreSQL URL (see sync/hub/POSTGRES.md)", PostgresEnv)
		}
		t.Skipf("%s is unset: PostgreSQL backend not tested (see sync/hub/POSTGRES.md)", PostgresEnv)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "chot_test_" + hex.EncodeToString(b)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("postgres: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("postgres cleanup: %v", err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("postgres cleanup: %v", err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("postgres URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
