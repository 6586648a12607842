package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/accueil-prioritaire/accueil/store"
)

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// account creates staff accounts: parents sign up themselves on the site.
func account(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: accueil account create --email E --role R [--name N] [--departement D] [--hub UAI]...")
	}
	fs := newFlags("account create")
	email := fs.String("email", "", "e-mail address (login)")
	role := fs.String("role", "", "director, prefecture, rectorat or admin")
	name := fs.String("name", "", "name shown in the service")
	dep := fs.String("departement", "", "département code, for a prefecture agent")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	var hubs multiFlag
	fs.Var(&hubs, "hub", "UAI code of a hub run by a director (repeatable)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	r := store.Role(*role)
	if !r.Valid() || r == store.RoleParent {
		return fmt.Errorf("--role must be director, prefecture, rectorat or admin")
	}
	if *email == "" {
		return errors.New("--email is required")
	}
	password, generated, err := readPassword(e, *fromStdin)
	if err != nil {
		return err
	}
	st, closeDB, err := openStore(ctx, e, false)
	if err != nil {
		return err
	}
	defer closeDB()
	hubIDs, err := st.HubIDsByUAI(ctx, hubs)
	if err != nil {
		return err
	}
	acc, err := st.CreateAccount(ctx, store.NewAccount{Email: *email, Password: password, Role: r,
		DisplayName: *name, DepartementCode: *dep, HubIDs: hubIDs})
	if err != nil {
		return err
	}
	if err := st.Audit(ctx, store.AuditEntry{Action: "account.create", ObjectType: "account",
		ObjectID: strconv.FormatInt(acc.ID, 10), Details: map[string]any{"role": acc.Role, "via": "command line"}}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "account %d created: %s (%s)\n", acc.ID, acc.Email, acc.Role)
	if generated {
		fmt.Fprintf(e.stdout, "password: %s\n", password)
	}
	return nil
}

// readPassword takes the first line of standard input when asked to, or makes one up.
func readPassword(e env, fromStdin bool) (password string, generated bool, err error) {
	if !fromStdin {
		return store.RandomToken()[:20], true, nil
	}
	line, _ := bufio.NewReader(e.stdin).ReadString('\n')
	line = strings.TrimRight(line, "\r\n")
	if len([]rune(line)) < 12 {
		return "", false, errors.New("the password must have at least 12 characters")
	}
	return line, false, nil
}
