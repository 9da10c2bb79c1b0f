// Package store keeps the merchant server's state in SQLite (the default, a
// pure-Go driver: no C toolchain) or PostgreSQL (jackc/pgx), with one set of
// embedded migrations for both.
//
// Concurrency, in one sentence per table: an order moves out of 'created'
// only through a conditional UPDATE ... WHERE status = 'created', in the
// same transaction as the outbox row that announces it, so whichever path
// sees a payment first wins and the others change nothing (and an expired
// order moves to 'paid_late' only by UPDATE ... WHERE status = 'expired',
// the same way); outbox rows,
// payouts and the reconciler's open orders are claimed with
// SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL (see claim) and a lease
// column, so that several replicas never work on the same row at once.
// SQLite is single-process: the database has one connection, which
// serialises every transaction.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// ErrNotFound is returned when a row does not exist (or belongs to another tenant).
var ErrNotFound = errors.New("store: not found")

// ErrConflict is returned when a unique key is already taken by a different row.
var ErrConflict = errors.New("store: conflict")

// Dialect is the SQL flavour of the database.
type Dialect int

const (
	SQLite Dialect = iota
	Postgres
)

// SQL is the Store on database/sql, for both dialects.
type SQL struct {
	db      *sql.DB
	dialect Dialect
	now     func() time.Time
}

// Open opens the database: PostgreSQL when databaseURL is set
// ("postgres://..."), else the SQLite file at sqlitePath, and applies the
// migrations not yet applied.
func Open(ctx context.Context, databaseURL, sqlitePath string) (*SQL, error) {
	var s *SQL
	if databaseURL != "" {
		db, err := sql.Open("pgx", databaseURL)
		if err != nil {
			return nil, fmt.Errorf("store: opening postgres: %w", err)
		}
		db.SetMaxOpenConns(20)
		db.SetMaxIdleConns(10)
		db.SetConnMaxIdleTime(5 * time.Minute)
		s = &SQL{db: db, dialect: Postgres, now: time.Now}
	} else {
		// WAL lets readers of the file (a backup, sqlite3 on the command
		// line) work beside the server; busy_timeout covers them holding a
		// lock for a moment. One connection: SQLite has one writer anyway,
		// and a single connection makes every transaction serial.
		// secure_delete overwrites deleted content with zeros, so that a
		// wiped or re-sealed ciphertext does not stay in a page's free
		// space (see Scrub for the WAL).
		dsn := "file:" + sqlitePath + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=secure_delete(1)&_txlock=immediate"
		db, err := sql.Open("sqlite", dsn)
		if err != nil {
			return nil, fmt.Errorf("store: opening sqlite: %w", err)
		}
		db.SetMaxOpenConns(1)
		s = &SQL{db: db, dialect: SQLite, now: time.Now}
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("store: connecting: %w", err)
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

// Scrub makes the bytes of rows just overwritten (a disconnected tenant's
// ciphertexts, those re-sealed by a rotation) leave the database files, as
// far as the database allows. On SQLite (opened with secure_delete, which
// zeroes freed content in the file) it checkpoints the WAL into the file
// and truncates it, where the old page images would otherwise stay until
// the next checkpoint. On PostgreSQL it runs VACUUM on tenants, which
// marks the dead row versions' space free for reuse; the bytes can stay in
// the data pages until reused, and in WAL segments and backups: see the
// README's operator note. Scrub runs outside any transaction.
func (s *SQL) Scrub(ctx context.Context) error {
	q := `PRAGMA wal_checkpoint(TRUNCATE)`
	if s.dialect == Postgres {
		q = `VACUUM tenants`
	}
	_, err := s.db.ExecContext(ctx, q)
	return err
}

// Dialect tells which database this is.
func (s *SQL) Dialect() Dialect { return s.dialect }

// Close closes the database.
func (s *SQL) Close() error { return s.db.Close() }

// Ping reports whether the database answers.
func (s *SQL) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// migrate applies migrations/*.sql in name order, each in a transaction
// with its row in schema_migrations. On PostgreSQL a transaction-scoped
// advisory lock makes replicas starting together apply each file once.
func (s *SQL) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("store: creating schema_migrations: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		err = s.tx(ctx, func(tx *sql.Tx) error {
			if s.dialect == Postgres {
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(4242001)`); err != nil {
					return err
				}
			}
			var n int
			if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM schema_migrations WHERE name = ?`), name).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			for _, stmt := range splitStatements(string(body)) {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
			}
			_, err := tx.ExecContext(ctx, s.q(`INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`), name, s.now().UnixMilli())
			return err
		})
		if err != nil {
			return fmt.Errorf("store: migration %w", err)
		}
	}
	return nil
}

// splitStatements splits a migration file on the semicolons that end a
// line, after removing -- comments. Migrations hold no string literal with
// ";\n" in it.
func splitStatements(body string) []string {
	var b strings.Builder
	for _, line := range strings.Split(body, "\n") {
		if i := strings.Index(line, "--"); i >= 0 {
			line = line[:i]
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	var out []string
	for _, stmt := range strings.Split(b.String(), ";\n") {
		if stmt = strings.TrimSpace(stmt); stmt != "" {
			out = append(out, strings.TrimSuffix(stmt, ";"))
		}
	}
	return out
}

// q rewrites ? placeholders to $1, $2, ... for PostgreSQL.
func (s *SQL) q(query string) string {
	if s.dialect != Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// skipLocked is appended to the SELECT of a claim. On PostgreSQL,
// FOR UPDATE SKIP LOCKED makes each replica lock the rows it takes and pass
// over the rows another replica's open claim transaction holds, instead of
// waiting for them and then taking them as well: the claim transaction then
// moves the lease (check_after, next_attempt_at, lease_until) forward and
// commits, so a row is worked on by one replica at a time and a crashed
// replica's rows come back when the lease ends. Row locks were chosen over
// advisory locks because the lock is the row itself: nothing to key,
// nothing to release, and it ends with the transaction. SQLite has no
// FOR UPDATE and needs none: one connection, one process.
func (s *SQL) skipLocked() string {
	if s.dialect == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

func (s *SQL) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	m := err.Error()
	return strings.Contains(m, "UNIQUE constraint failed") || strings.Contains(m, "SQLSTATE 23505") || strings.Contains(m, "duplicate key")
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// DB is the underlying database, for tests and tools.
func (s *SQL) DB() *sql.DB { return s.db }
