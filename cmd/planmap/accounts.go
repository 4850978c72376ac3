package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/planmap/planmap/internal/domain"
)

// runAccounts runs "user ..." and "token ...": account administration on
// the same database serve uses.
func runAccounts(ctx context.Context, cmd string, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	usageLine := map[string]string{
		"user":  "usage: planmap user add NAME --role editor|admin (reads the password from stdin) | user list | user disable NAME | user enable NAME",
		"token": "usage: planmap token create USER --name NAME | token list | token revoke ID",
	}[cmd]
	if len(args) == 0 {
		fmt.Fprintln(stderr, usageLine)
		return 2
	}
	verb, rest := args[0], args[1:]
	// Positional arguments come before flags: NAME --role editor.
	var pos []string
	for len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		pos, rest = append(pos, rest[0]), rest[1:]
	}
	fs := flag.NewFlagSet("planmap "+cmd+" "+verb, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	role := fs.String("role", "editor", "editor or admin")
	name := fs.String("name", "", "what the token is for")
	dataDir := fs.String("data-dir", "", "as for serve")
	dbURL := fs.String("database-url", "", "as for serve")
	if err := fs.Parse(rest); err != nil {
		fmt.Fprintf(stderr, "planmap: %v\n%s\n", err, usageLine)
		return 2
	}
	// Database settings go through the shared Config, environment included.
	var cfgArgs []string
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "data-dir":
			cfgArgs = append(cfgArgs, "--data-dir", *dataDir)
		case "database-url":
			cfgArgs = append(cfgArgs, "--database-url", *dbURL)
		}
	})
	want := map[string]int{"user add": 1, "user list": 0, "user disable": 1, "user enable": 1, "token create": 1, "token list": 0, "token revoke": 1}
	n, ok := want[cmd+" "+verb]
	if !ok || len(pos) != n || fs.NArg() > 0 {
		fmt.Fprintf(stderr, "planmap: unexpected arguments\n%s\n", usageLine)
		return 2
	}
	cfg, err := parseConfig(cmd, cfgArgs, getenv, stderr, "data-dir", "database-url")
	if err != nil {
		fmt.Fprintf(stderr, "planmap: %v\n", err)
		return 2
	}
	m := NewMain(cfg, stdout, stderr)
	defer m.Close()
	if err := m.openDB(ctx); err != nil {
		fmt.Fprintf(stderr, "planmap: %v\n", err)
		return 1
	}
	if _, err := m.db.Migrate(ctx); err != nil {
		fmt.Fprintf(stderr, "planmap: %v\n", err)
		return 1
	}
	svc, err := m.authService()
	if err != nil {
		fmt.Fprintf(stderr, "planmap: %v\n", err)
		return 1
	}
	err = func() error {
		switch cmd + " " + verb {
		case "user add":
			password, err := readPassword(stdin)
			if err != nil {
				return err
			}
			u, err := svc.CreateUser(ctx, pos[0], password, domain.Role(*role))
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "created %s (%s)\n", u.Username, u.Role)
		case "user list":
			users, err := svc.Users(ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "USERNAME\tROLE\tDISABLED\tCREATED")
			for _, u := range users {
				fmt.Fprintf(tw, "%s\t%s\t%v\t%s\n", u.Username, u.Role, u.Disabled, u.CreatedAt.UTC().Format("2006-01-02 15:04"))
			}
			return tw.Flush()
		case "user disable", "user enable":
			if err := svc.SetUserDisabled(ctx, pos[0], verb == "disable"); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%sd %s\n", verb, pos[0])
		case "token create":
			secret, t, err := svc.CreateToken(ctx, pos[0], *name)
			if err != nil {
				return err
			}
			fmt.Fprintf(stderr, "token %s for %s; it is shown once, store it now:\n", t.ID, t.Username)
			fmt.Fprintln(stdout, secret)
		case "token list":
			toks, err := svc.Tokens(ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tUSER\tNAME\tCREATED\tREVOKED")
			for _, t := range toks {
				revoked := "-"
				if t.RevokedAt != nil {
					revoked = t.RevokedAt.UTC().Format("2006-01-02 15:04")
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.ID, t.Username, t.Name, t.CreatedAt.UTC().Format("2006-01-02 15:04"), revoked)
			}
			return tw.Flush()
		case "token revoke":
			if err := svc.RevokeToken(ctx, pos[0]); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "revoked %s\n", pos[0])
		}
		return nil
	}()
	if err != nil {
		msg := err.Error()
		if c := domain.ErrorCode(err); c != domain.EINTERNAL {
			msg = domain.ErrorMessage(err)
		}
		fmt.Fprintf(stderr, "planmap: %s\n", msg)
		return 1
	}
	return 0
}

// readPassword reads the first line of stdin, so passwords never appear
// in the process list or shell history.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("give the password on standard input, e.g. printf '%s\\n' \"$PASSWORD\" | planmap user add NAME --role editor")
	}
	return line, nil
}
