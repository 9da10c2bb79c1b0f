package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/blink-sdk/blink-go/examples/merchant/internal/netguard"
)

// config is the server's configuration: each setting has a flag and/or an
// environment variable and a safe default; flags override the
// environment. Secrets (keys, SESSION_SECRET, tokens) come from the
// environment only, never from flags (which other users see in ps).
type config struct {
	Addr, PublicURL, SQLite    string
	Rate                       float64
	Burst                      int
	SessionTTL, Reconcile      time.Duration
	WindDown                   time.Duration
	CheckoutOrigins            []string
	Keyless, Demo              bool
	DatabaseURL, MasterKey     string
	OldMasterKeys              []string
	SessionSecret, MetricsTok  string
	BlinkEnv, BlinkURL, Prefix string
}

type setting struct {
	flag, env, def, help string
	secret               bool
}

var settings = []setting{
	{"addr", "MERCHANT_ADDR", "127.0.0.1:8080", "listen address", false},
	{"public-url", "MERCHANT_PUBLIC_URL", "http://<addr>", "the server's URL as payers reach it (checkout links start with it)", false},
	{"sqlite", "MERCHANT_SQLITE", "merchant.db", "SQLite file, when DATABASE_URL is unset (WAL mode)", false},
	{"", "DATABASE_URL", "", "PostgreSQL URL (postgres://user:pass@host/db): several replicas may share it", true},
	{"", "MERCHANT_MASTER_KEY", "(required)", "base64 of 32 bytes: seals keys and secrets at rest (AES-256-GCM)", true},
	{"", "MERCHANT_OLD_MASTER_KEYS", "", "older master keys, comma-separated, for \"merchant rotate\"", true},
	{"", "SESSION_SECRET", "(random)", "at least 32 bytes: signs checkout links; the same on every replica", true},
	{"", "MERCHANT_METRICS_TOKEN", "", "bearer token /metrics wants (open when unset)", true},
	{"", "BLINK_ENV", "production", "production, staging or local", false},
	{"", "BLINK_API_URL", "", "an https GraphQL endpoint instead of BLINK_ENV's (plain http to loopback only; with BLINK_KEY_PREFIX)", false},
	{"", "BLINK_KEY_PREFIX", "", "the prefix of that endpoint's keys, such as galoy_dev_", false},
	{"rate", "MERCHANT_RATE", "20", "API requests a second per tenant (0: no limit)", false},
	{"burst", "MERCHANT_BURST", "100", "API request burst per tenant", false},
	{"session-ttl", "MERCHANT_SESSION_TTL", "15m", "how long a checkout link works (1m to 1h)", false},
	{"checkout-origins", "MERCHANT_CHECKOUT_ORIGINS", "", "origins that may read the checkout API, comma-separated (never *)", false},
	{"reconcile", "MERCHANT_RECONCILE_INTERVAL", "30s", "how often every open order is checked against Blink", false},
	{"winddown", "MERCHANT_WINDDOWN_INTERVAL", "6h", "how often key tenants' account wind-down and restrictions are read", false},
	{"keyless", "MERCHANT_KEYLESS", "true", "accept shops connecting with a lightning address only", false},
	{"demo", "", "false", "run the demo (embedded fake Blink, a demo tenant) even with configuration", false},
}

// usage prints the configuration table.
func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: merchant [rotate] [flags]\n\nConfiguration (flags override the environment; secrets from the environment only):")
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "  FLAG\tENVIRONMENT\tDEFAULT\tMEANING")
	for _, s := range settings {
		f := "-"
		if s.flag != "" {
			f = "-" + s.flag
		}
		e := s.env
		if e == "" {
			e = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", f, e, or(s.def, `""`), s.help)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nWith none of BLINK_ENV, BLINK_API_URL, DATABASE_URL set it runs the demo.")
}

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("merchant", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { usage(stderr) }
	vals := map[string]*string{}
	for _, s := range settings {
		if s.flag == "" {
			continue
		}
		def := s.def
		if s.env != "" && getenv(s.env) != "" {
			def = getenv(s.env)
		}
		if strings.HasPrefix(def, "http://<") || def == "merchant.db" {
			def = "" // filled in below
			if s.env != "" {
				def = getenv(s.env)
			}
		}
		vals[s.flag] = fs.String(s.flag, def, s.help)
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	c := &config{Addr: *vals["addr"], PublicURL: *vals["public-url"], SQLite: *vals["sqlite"],
		DatabaseURL: getenv("DATABASE_URL"), MasterKey: getenv("MERCHANT_MASTER_KEY"), SessionSecret: getenv("SESSION_SECRET"),
		MetricsTok: getenv("MERCHANT_METRICS_TOKEN"), BlinkEnv: getenv("BLINK_ENV"), BlinkURL: getenv("BLINK_API_URL"), Prefix: getenv("BLINK_KEY_PREFIX")}
	if v := getenv("MERCHANT_OLD_MASTER_KEYS"); v != "" {
		c.OldMasterKeys = strings.Split(v, ",")
	}
	var err error
	num := func(name string) float64 {
		f, e := strconv.ParseFloat(*vals[name], 64)
		if e != nil || f < 0 {
			err = errors.Join(err, fmt.Errorf("-%s: want a number of at least 0, not %q", name, *vals[name]))
		}
		return f
	}
	dur := func(name string, lo, hi time.Duration) time.Duration {
		d, e := time.ParseDuration(*vals[name])
		if e != nil || d < lo || d > hi {
			err = errors.Join(err, fmt.Errorf("-%s: want a duration from %s to %s, not %q", name, lo, hi, *vals[name]))
		}
		return d
	}
	c.Rate, c.Burst = num("rate"), int(num("burst"))
	c.SessionTTL = dur("session-ttl", time.Minute, time.Hour)
	c.Reconcile = dur("reconcile", time.Second, time.Hour)
	c.WindDown = dur("winddown", time.Minute, 7*24*time.Hour)
	c.Keyless, _ = strconv.ParseBool(*vals["keyless"])
	c.Demo, _ = strconv.ParseBool(*vals["demo"])
	for _, o := range strings.Split(*vals["checkout-origins"], ",") {
		if o = strings.TrimSpace(o); o == "" {
			continue
		}
		u, e := url.Parse(o)
		if o == "*" || e != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" {
			err = errors.Join(err, fmt.Errorf("-checkout-origins: %q is not an origin such as https://shop.example (never *)", o))
			continue
		}
		c.CheckoutOrigins = append(c.CheckoutOrigins, o)
	}
	if c.SessionSecret != "" && len(c.SessionSecret) < 32 {
		err = errors.Join(err, errors.New("SESSION_SECRET must be at least 32 bytes (openssl rand -base64 32)"))
	}
	if c.BlinkURL != "" {
		err = errors.Join(err, checkBlinkURL(c.BlinkURL))
	}
	return c, err
}

// checkBlinkURL refuses a BLINK_API_URL that is not an absolute https://
// URL, or http:// to a loopback host: every tenant's API key is sent
// there, and over plain http to another host it would cross the network
// in clear.
func checkBlinkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return errors.New("BLINK_API_URL must be an absolute https:// URL (such as https://api.blink.sv/graphql)")
	}
	if u.User != nil {
		return errors.New("BLINK_API_URL must not carry credentials")
	}
	if u.Scheme == "http" && !netguard.IsLoopbackHost(u.Hostname()) {
		return fmt.Errorf("BLINK_API_URL http://%s is plain http to a host that is not loopback: tenants' API keys would travel in clear; use https://", u.Host)
	}
	return nil
}
