package main

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// config is what `blink login` stores in os.UserConfigDir()/blink/config.json
// (mode 0600, in a directory of mode 0700).
type config struct {
	APIKey   string `json:"apiKey,omitempty"`
	Env      string `json:"env,omitempty"`
	Endpoint string `json:"endpoint,omitempty"`
	// ListenSecret is the whsec_ secret `blink listen` signs with, kept so
	// that a developer's handler keeps working across runs.
	ListenSecret string `json:"listenSecret,omitempty"`
}

func configDir() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no configuration directory: %w", err)
	}
	return filepath.Join(d, "blink"), nil
}

func configPathOrEmpty() string {
	d, err := configDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "config.json")
}

func loadConfig() (*config, error) {
	d, err := configDir()
	if err != nil {
		return &config{}, nil
	}
	b, err := os.ReadFile(filepath.Join(d, "config.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return &config{}, nil
	}
	if err != nil {
		return nil, err
	}
	// A file holding a key is the user's alone: one left readable by
	// others (copied, restored from a backup) is tightened on first use.
	if fi, err := os.Stat(filepath.Join(d, "config.json")); err == nil && fi.Mode().Perm()&0o077 != 0 {
		_ = os.Chmod(filepath.Join(d, "config.json"), 0o600)
	}
	var c config
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%s is not valid JSON: %w (remove it with `blink logout`)", filepath.Join(d, "config.json"), err)
	}
	return &c, nil
}

func saveConfig(c *config) error {
	d, err := configDir()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(d, 0o700); err != nil {
		return err
	}
	if err := os.Chmod(d, 0o700); err != nil {
		return err
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(d, "config-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(d, "config.json"))
}

// readSecret reads one line without echo from a terminal, or one line from
// any other standard input (a pipe in scripts and tests).
func (a *app) readSecret(prompt string) (string, error) {
	if f, ok := a.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(a.stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(a.stderr)
		if err != nil {
			return "", err
		}
		return strings.TrimSpace(string(b)), nil
	}
	fmt.Fprintln(a.stderr, "(standard input is not a terminal: reading the key from its first line)")
	line, err := bufio.NewReader(a.stdin).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", usageErrorf("no key on standard input")
	}
	return strings.TrimSpace(line), nil
}

func scopeNames(s []blink.Scope) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = string(x)
	}
	return out
}

func (a *app) loginCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "login",
		Short: "Store an API key for the next commands",
		Long: `login reads an API key without echo (or the first line of standard input when
it is not a terminal), checks it with the authorization query, and stores it
with the --env and --endpoint given in the user's configuration directory
(blink/config.json, readable by the user only).`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			key, err := a.readSecret("Blink API key: ")
			if err != nil {
				return err
			}
			if key == "" {
				return usageErrorf("the key is empty")
			}
			if a.env == "" && a.endpoint == "" {
				a.env = envOfKey(key)
			}
			opts, err := a.options("")
			if err != nil {
				return err
			}
			c, err := blink.New(key, opts...)
			if err != nil {
				return err
			}
			defer c.Close()
			scopes, err := c.Scopes(cmd.Context())
			if err != nil {
				return err
			}
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			cfg.APIKey, cfg.Env, cfg.Endpoint = key, a.env, a.endpoint
			if err := saveConfig(cfg); err != nil {
				return err
			}
			env := envName(c)
			if a.json {
				return a.printJSON(map[string]any{"key": blink.RedactKey(key), "scopes": scopeNames(scopes), "environment": env, "config": configPathOrEmpty()})
			}
			a.printf("Logged in with %s (%s) on %s; stored in %s\n", blink.RedactKey(key), strings.Join(scopeNames(scopes), ", "), env, configPathOrEmpty())
			return nil
		},
	}
}

func (a *app) logoutCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "logout",
		Short: "Forget the stored API key",
		Args:  exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			had := cfg.APIKey != ""
			cfg.APIKey, cfg.Env, cfg.Endpoint = "", "", ""
			if err := saveConfig(cfg); err != nil {
				return err
			}
			if a.json {
				return a.printJSON(map[string]any{"loggedOut": had})
			}
			if had {
				a.printf("Logged out: the stored key is removed\n")
			} else {
				a.printf("No key was stored\n")
			}
			return nil
		},
	}
}

func envName(c *blink.Client) string {
	if e := c.Environment(); e != "" {
		return string(e)
	}
	return "custom endpoint " + c.Endpoint()
}

func (a *app) whoamiCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "whoami",
		Short: "Show the key in use (redacted), its scopes, user and environment",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.newClient(true)
			if err != nil {
				return err
			}
			key := keyOf(a)
			scopesText := ""
			scopes, err := c.Scopes(cmd.Context())
			var se *blink.ScopeError
			switch {
			case errors.As(err, &se):
				scopesText = "unknown (the authorization query needs READ, which this key lacks)"
			case err != nil:
				return err
			default:
				scopesText = strings.Join(scopeNames(scopes), ", ")
			}
			out := map[string]any{"key": blink.RedactKey(key), "source": a.source, "scopes": scopeNames(scopes),
				"environment": envName(c), "endpoint": c.Endpoint()}
			var username string
			if me, err := c.Me(cmd.Context()); err == nil {
				username = me.Username
				out["username"], out["accountId"] = me.Username, me.AccountID
			}
			if a.json {
				return a.printJSON(out)
			}
			a.printf("Key:          %s (from %s)\n", blink.RedactKey(key), a.source)
			a.printf("Scopes:       %s\n", scopesText)
			a.printf("Environment:  %s\n", envName(c))
			a.printf("Endpoint:     %s\n", c.Endpoint())
			if username != "" {
				a.printf("User:         %s\n", username)
			}
			return nil
		},
	}
}

// keyOf returns the key the client was built with, for its redacted form.
func keyOf(a *app) string {
	switch {
	case a.cs != nil:
		return a.cs.APIKey()
	case os.Getenv("BLINK_API_KEY") != "":
		return os.Getenv("BLINK_API_KEY")
	}
	cfg, _ := loadConfig()
	if cfg == nil {
		return ""
	}
	return cfg.APIKey
}

// newWebhookSecret returns a fresh whsec_ secret of 32 random bytes.
func newWebhookSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}
