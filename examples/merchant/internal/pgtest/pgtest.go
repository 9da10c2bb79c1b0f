// Package pgtest starts a PostgreSQL cluster for tests from the system's
// binaries (initdb into a temporary directory, pg_ctl on a free loopback
// port), once per test binary, and hands out fresh databases. Tests skip
// with a one-line reason only when the binaries are absent.
package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// The cluster, started from the system's
// binaries (initdb into a temporary directory, pg_ctl on a free loopback
// port) the first time a test asks, stopped by TestMain.
var pg struct {
	once sync.Once
	dir  string
	bin  string
	url  string // the maintenance database
	err  string // why there is none
	n    int
	mu   sync.Mutex
	asPG bool
}

// Main runs the tests and stops the cluster: call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if pg.dir != "" {
		pgRun(filepath.Join(pg.bin, "pg_ctl"), "-D", filepath.Join(pg.dir, "data"), "-m", "immediate", "stop")
		os.RemoveAll(pg.dir)
	}
	os.Exit(code)
}

func pgBinDir() string {
	if d := os.Getenv("MERCHANT_PG_BIN"); d != "" {
		return d
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) > pgVersion(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p)
	}
	return ""
}

func pgVersion(dir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return v
}

// pgRun runs a PostgreSQL binary, as the postgres user when we are root
// (initdb and postgres refuse to run as root).
func pgRun(name string, args ...string) ([]byte, error) {
	var cmd *exec.Cmd
	if pg.asPG {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	} else {
		cmd = exec.Command(name, args...)
	}
	return cmd.CombinedOutput()
}

func startPG() {
	pg.bin = pgBinDir()
	if pg.bin == "" {
		pg.err = "no PostgreSQL binaries (initdb) under /usr/lib/postgresql/*/bin or on PATH: apt-get install postgresql"
		return
	}
	if os.Geteuid() == 0 {
		if _, err := user.Lookup("postgres"); err != nil {
			pg.err = "running as root without a postgres user to run initdb as"
			return
		}
		pg.asPG = true
	}
	dir, err := os.MkdirTemp("", "merchant-pg-")
	if err != nil {
		pg.err = err.Error()
		return
	}
	os.Chmod(dir, 0o755)
	pg.dir = dir
	data := filepath.Join(dir, "data")
	os.Mkdir(data, 0o700)
	if pg.asPG {
		u, _ := user.Lookup("postgres")
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		os.Chown(data, uid, gid)
	}
	if out, err := pgRun(filepath.Join(pg.bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"); err != nil {
		pg.err = fmt.Sprintf("initdb: %v: %s", err, out)
		return
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		pg.err = err.Error()
		return
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	opts := fmt.Sprintf("-h 127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", port, data)
	if out, err := pgRun(filepath.Join(pg.bin, "pg_ctl"), "-D", data, "-l", filepath.Join(data, "log"), "-w", "-o", opts, "start"); err != nil {
		pg.err = fmt.Sprintf("pg_ctl start: %v: %s", err, out)
		return
	}
	pg.url = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
}

// Database returns the URL of a fresh database, or skips the test with a
// one-line reason when PostgreSQL cannot be started.
func Database(t testing.TB) string {
	t.Helper()
	pg.once.Do(startPG)
	if pg.url == "" {
		t.Skip("PostgreSQL: " + pg.err)
	}
	pg.mu.Lock()
	pg.n++
	name := fmt.Sprintf("merchant_%d", pg.n)
	pg.mu.Unlock()
	db, err := sql.Open("pgx", pg.url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(context.Background(), "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	u := pg.url[:len(pg.url)-len("postgres?sslmode=disable")] + name + "?sslmode=disable"
	return u
}

// DataDir is the cluster's data directory ("" before a Database call).
func DataDir() string {
	if pg.dir == "" {
		return ""
	}
	return filepath.Join(pg.dir, "data")
}
