package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/spf13/cobra"
)

// Exit codes, distinct per kind of failure so that scripts can branch.
const (
	exitOK           = 0
	exitError        = 1
	exitUsage        = 2
	exitAuth         = 3
	exitInsufficient = 4
	exitUnknown      = 5
)

// app holds the global flags and the streams of one run.
type app struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer

	env              string
	endpoint         string
	connectionString string
	json             bool

	client *blink.Client
	source string // where the key came from: "BLINK_API_KEY", "--connection-string", "config"
	cs     *blink.ConnectionString
}

// cliError is an error with an exit code and a hint for what to do next.
type cliError struct {
	code int
	err  error
	hint string
}

func (e *cliError) Error() string { return e.err.Error() }
func (e *cliError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &cliError{code: exitUsage, err: fmt.Errorf(format, args...), hint: "see --help"}
}

func withHint(err error, hint string) error {
	return &cliError{code: codeOf(err), err: err, hint: hint}
}

// codeOf maps an SDK error to an exit code.
func codeOf(err error) int {
	var ce *cliError
	switch {
	case errors.As(err, &ce):
		return ce.code
	case errors.Is(err, blink.ErrOutcomeUnknown):
		return exitUnknown
	case errors.Is(err, blink.ErrInsufficientBalance):
		return exitInsufficient
	case errors.Is(err, blink.ErrInsufficientScope), errors.Is(err, blink.ErrInvalidAPIKey),
		errors.Is(err, blink.ErrNotAuthenticated), errors.Is(err, blink.ErrAPIKeyExpired),
		errors.Is(err, blink.ErrAPIKeyRevoked), errors.Is(err, errNoKey):
		return exitAuth
	}
	return exitError
}

// hintOf says what to do next for the common SDK errors.
func hintOf(err error) string {
	var ce *cliError
	if errors.As(err, &ce) && ce.hint != "" {
		return ce.hint
	}
	var se *blink.ScopeError
	switch {
	case errors.Is(err, errNoKey):
		return "set BLINK_API_KEY, pass --connection-string, or run `blink login`"
	case errors.As(err, &se) && !se.NoKey:
		return fmt.Sprintf("this needs a key with scope %s; create one in the Blink dashboard", se.Needed)
	case errors.Is(err, blink.ErrInvalidAPIKey), errors.Is(err, blink.ErrNotAuthenticated):
		return "the key was refused: check --env matches the key (run `blink whoami`), or log in again"
	case errors.Is(err, blink.ErrAPIKeyExpired), errors.Is(err, blink.ErrAPIKeyRevoked):
		return "create a new key in the Blink dashboard and run `blink login`"
	case errors.Is(err, blink.ErrInsufficientBalance):
		return "top up the wallet (see `blink balance`)"
	case errors.Is(err, blink.ErrInvoiceExpired):
		return "ask the payee for a new invoice"
	case errors.Is(err, blink.ErrWrongNetwork):
		return "the invoice belongs to another network than the server's: check --env"
	case errors.Is(err, blink.ErrConfig):
		return "check --env, --endpoint and the key's prefix"
	case errors.Is(err, blink.ErrRateLimited), errors.Is(err, blink.ErrTooManyRequests):
		return "wait a little and try again"
	case blink.IsTransient(err):
		return "this may be temporary: try again"
	}
	return ""
}

var errNoKey = errors.New("no API key")

// run executes one command line and returns its exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if a.client != nil {
		a.client.Close()
	}
	if err == nil {
		return exitOK
	}
	var ce *cliError
	if !errors.As(err, &ce) && isCobraUsage(err) {
		err = &cliError{code: exitUsage, err: err, hint: "see --help"}
	}
	if a.json {
		enc := json.NewEncoder(stderr)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(map[string]any{"error": err.Error(), "hint": hintOf(err), "exitCode": codeOf(err)})
	} else {
		fmt.Fprintln(stderr, "Error:", err)
		if h := hintOf(err); h != "" {
			fmt.Fprintln(stderr, "Hint:", h)
		}
	}
	return codeOf(err)
}

// isCobraUsage recognises cobra's own errors for unknown commands, flags
// and argument counts, which it returns as plain errors.
func isCobraUsage(err error) bool {
	s := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument",
		"invalid argument", "accepts ", "requires at least", "requires at most", "required flag"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "blink",
		Short: "A command line for the Blink Lightning wallet API",
		Long: `blink talks to the Blink API (api.blink.sv) with the blink-go SDK.

The API key comes from --connection-string (or BLINK_CONNECTION_STRING), from
BLINK_API_KEY, or from ` + "`blink login`" + `, in that order. It is never printed:
` + "`blink whoami`" + ` shows its redacted form.

Exit codes: 0 success, 1 other failure, 2 bad usage, 3 missing or refused key
or scope, 4 insufficient balance, 5 unknown outcome of a send.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		// The environment variables are read here, not given to the flags
		// as defaults: cobra prints defaults in --help, and
		// BLINK_CONNECTION_STRING carries the API key.
		for name, v := range map[string]*string{"env": &a.env, "endpoint": &a.endpoint, "connection-string": &a.connectionString} {
			if f := cmd.Flags().Lookup(name); f == nil || !f.Changed {
				*v = os.Getenv(map[string]string{"env": "BLINK_ENV", "endpoint": "BLINK_API_URL", "connection-string": "BLINK_CONNECTION_STRING"}[name])
			}
		}
		switch blink.Environment(a.env) {
		case "", blink.Production, blink.Staging, blink.Local:
			return nil
		}
		return usageErrorf("--env %q is not production, staging or local", a.env)
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &cliError{code: exitUsage, err: err, hint: "see " + c.CommandPath() + " --help"}
	})
	pf := root.PersistentFlags()
	pf.StringVar(&a.env, "env", "", "environment: production, staging or local (default production; $BLINK_ENV)")
	pf.StringVar(&a.endpoint, "endpoint", "", "a custom GraphQL endpoint ($BLINK_API_URL)")
	pf.StringVar(&a.connectionString, "connection-string", "", "a BTCPay-style connection string ($BLINK_CONNECTION_STRING)")
	pf.BoolVar(&a.json, "json", false, "print JSON for scripts instead of tables")

	root.AddCommand(a.loginCommand(), a.logoutCommand(), a.whoamiCommand(),
		a.balanceCommand(), a.walletsCommand(), a.txCommand(), a.priceCommand(),
		a.invoiceCommand(), a.payCommand(), a.resolveCommand(),
		a.listenCommand(), a.fakeCommand())
	return root
}

// exactArgs is cobra.ExactArgs with a usage exit code.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErrorf("%s takes %d argument(s), got %d", cmd.CommandPath(), n, len(args))
		}
		return nil
	}
}

func rangeArgs(lo, hi int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < lo || len(args) > hi {
			return usageErrorf("%s takes %d to %d arguments, got %d", cmd.CommandPath(), lo, hi, len(args))
		}
		return nil
	}
}

// envOfKey is the environment whose keys carry the key's prefix, or "".
func envOfKey(key string) string {
	for _, e := range []blink.Environment{blink.Production, blink.Staging, blink.Local} {
		if strings.HasPrefix(key, e.KeyPrefix()) {
			return string(e)
		}
	}
	return ""
}

// options returns the SDK options of the global flags.
func (a *app) options(endpoint string) ([]blink.Option, error) {
	var opts []blink.Option
	if a.env != "" {
		switch blink.Environment(a.env) {
		case blink.Production, blink.Staging, blink.Local:
		default:
			return nil, usageErrorf("--env %q is not production, staging or local", a.env)
		}
		opts = append(opts, blink.WithEnvironment(blink.Environment(a.env)))
	}
	if a.endpoint != "" {
		endpoint = a.endpoint
	}
	if endpoint != "" {
		opts = append(opts, blink.WithEndpoint(endpoint))
	}
	return opts, nil
}

// newClient builds the client once: the connection string flag first, then
// BLINK_API_KEY, then the stored login. needKey false allows a keyless
// client for the public operations.
func (a *app) newClient(needKey bool) (*blink.Client, error) {
	if a.client != nil {
		return a.client, nil
	}
	var key, endpoint string
	switch {
	case a.connectionString != "":
		cs, err := blink.ParseConnectionString(a.connectionString)
		if err != nil {
			return nil, &cliError{code: exitUsage, err: err, hint: "a connection string reads type=blink;server=...;api-key=...;wallet-id=..."}
		}
		a.cs, a.source, key, endpoint = cs, "--connection-string", cs.APIKey(), cs.Server
	case os.Getenv("BLINK_API_KEY") != "":
		key, a.source = os.Getenv("BLINK_API_KEY"), "BLINK_API_KEY"
	default:
		cfg, err := loadConfig()
		if err != nil {
			return nil, err
		}
		if cfg.APIKey != "" {
			key, a.source = cfg.APIKey, "config ("+configPathOrEmpty()+")"
			if a.env == "" {
				a.env = cfg.Env
			}
			endpoint = cfg.Endpoint
		}
	}
	if key == "" && needKey {
		return nil, &cliError{code: exitAuth, err: errNoKey}
	}
	if a.env == "" && a.endpoint == "" && endpoint == "" {
		a.env = envOfKey(key) // a staging key talks to staging without --env
	}
	opts, err := a.options(endpoint)
	if err != nil {
		return nil, err
	}
	c, err := blink.New(key, opts...)
	if err != nil {
		return nil, err
	}
	a.client = c
	return c, nil
}

// printJSON writes v as indented JSON to stdout.
func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (a *app) printf(format string, args ...any) { fmt.Fprintf(a.stdout, format, args...) }

// info writes a human line to stderr, so that stdout stays the result.
func (a *app) info(format string, args ...any) { fmt.Fprintf(a.stderr, format, args...) }
