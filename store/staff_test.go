package store_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

func testInvitation(acc store.Account, token string) (string, string) {
	return "Invitation", "link: /reinitialiser?jeton=" + token
}

// staffWorld is the small académie with an admin and a rectorat agent, at the tests' clock.
func staffWorld(t *testing.T) (*store.Store, store.Scope, store.Scope) {
	t.Helper()
	now := pgtest.Now()
	st := pgtest.NewStore(t).WithClock(func() time.Time { return now })
	ctx := context.Background()
	if err := st.LoadSeed(ctx, smallAcademie(0)); err != nil {
		t.Fatal(err)
	}
	admin, err := st.CreateAccount(ctx, store.NewAccount{Email: "admin@example.fr", Password: "correct horse battery", Role: store.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	rect, err := st.CreateAccount(ctx, store.NewAccount{Email: "rect@example.fr", Password: "correct horse battery", Role: store.RoleRectorat})
	if err != nil {
		t.Fatal(err)
	}
	return st, store.ScopeOf(admin), store.ScopeOf(rect)
}

func countRows(t *testing.T, st *store.Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := st.DB().Get(&n, query, args...); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestStaffAccountLifecycle: an account made on the page is invited (one link, by e-mail),
// re-invited (the old link dies), disabled (its sessions end, it cannot log in, its link is
// dead), enabled again; each step is audited.
func TestStaffAccountLifecycle(t *testing.T) {
	st, admin, _ := staffWorld(t)
	ctx := context.Background()
	hub := hubID(t, st)
	acc, err := st.CreateStaff(ctx, admin, store.NewAccount{Email: " Dir@Example.fr", Role: store.RoleDirector, DisplayName: "Anne Roux",
		HubIDs: []int64{hub}}, testInvitation)
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.StaffAccountByID(ctx, admin, acc.ID)
	if err != nil || got.State != store.StaffInvited || len(got.Hubs) != 1 || got.Hubs[0].UAI != "0250001A" || got.Email != "dir@example.fr" {
		t.Fatalf("new account %+v, %v", got, err)
	}
	if n := countRows(t, st, `SELECT count(*) FROM outbox_email WHERE to_address = 'dir@example.fr' AND kind = 'invitation'`); n != 1 {
		t.Errorf("%d invitations queued, want 1", n)
	}
	var firstHash []byte
	if err := st.DB().Get(&firstHash, `SELECT token_hash FROM account_token WHERE account_id = $1`, acc.ID); err != nil {
		t.Fatal(err)
	}
	if err := st.ReinviteStaff(ctx, admin, acc.ID, testInvitation); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, st, `SELECT count(*) FROM account_token WHERE account_id = $1 AND token_hash = $2`, acc.ID, firstHash); n != 0 {
		t.Error("the first invitation's link still lives after a re-invitation")
	}
	if n := countRows(t, st, `SELECT count(*) FROM account_token WHERE account_id = $1 AND used_at IS NULL AND expires_at > $2`, acc.ID, st.Now()); n != 1 {
		t.Errorf("%d live links, want 1", n)
	}
	if err := st.SetPassword(ctx, acc.ID, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.StaffAccountByID(ctx, admin, acc.ID); got.State != store.StaffActive {
		t.Errorf("state with a password: %s", got.State)
	}
	p := store.SessionPolicy{Absolute: 12 * time.Hour, Idle: 30 * time.Minute}
	token, _, err := st.CreateSession(ctx, acc.ID, p, "192.0.2.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	preview, err := st.DisableStaff(ctx, admin, acc.ID, true)
	if err != nil || preview.Sessions != 1 {
		t.Fatalf("preview %+v, %v", preview, err)
	}
	if _, err := st.SessionByToken(ctx, token, p); err != nil {
		t.Fatalf("the preview ended the session: %v", err)
	}
	done, err := st.DisableStaff(ctx, admin, acc.ID, false)
	if err != nil || done.Sessions != 1 {
		t.Fatalf("disable %+v, %v", done, err)
	}
	if n := countRows(t, st, `SELECT count(*) FROM session WHERE account_id = $1`, acc.ID); n != 0 {
		t.Errorf("%d sessions left after disabling", n)
	}
	if _, err := st.Authenticate(ctx, "dir@example.fr", "correct horse battery", "192.0.2.1"); !errors.Is(err, store.ErrUnauthorized) {
		t.Errorf("a disabled account logs in: %v", err)
	}
	if got, _ := st.StaffAccountByID(ctx, admin, acc.ID); got.State != store.StaffDisabled || len(got.Hubs) != 1 {
		t.Errorf("disabled account %+v", got)
	}
	if err := st.ReinviteStaff(ctx, admin, acc.ID, testInvitation); !errors.Is(err, store.ErrAccountDisabled) {
		t.Errorf("re-inviting a disabled account: %v", err)
	}
	if n := countRows(t, st, `SELECT count(*) FROM account_token WHERE account_id = $1 AND used_at IS NULL`, acc.ID); n != 0 {
		t.Errorf("a disabled account keeps %d live links", n)
	}
	if changed, err := st.EnableStaff(ctx, admin, acc.ID); err != nil || !changed {
		t.Fatalf("enable: %v, %v", changed, err)
	}
	if _, err := st.Authenticate(ctx, "dir@example.fr", "correct horse battery", "192.0.2.1"); err != nil {
		t.Errorf("enabled again, the account cannot log in: %v", err)
	}
	var actions []string
	if err := st.DB().Select(&actions, `SELECT action FROM audit_log WHERE object_id = $1 AND object_type = 'account' ORDER BY id`,
		strconv.FormatInt(acc.ID, 10)); err != nil {
		t.Fatal(err)
	}
	want := []string{"account.create", "account.reinvite", "account.disable", "account.enable"}
	if len(actions) != len(want) {
		t.Fatalf("audited %v, want %v", actions, want)
	}
	for i := range want {
		if actions[i] != want[i] {
			t.Errorf("audited %v, want %v", actions, want)
		}
	}
}

// TestStaffScope: the rectorat manages every staff account but the admins', which it neither
// sees nor makes nor disables; nobody else manages any; nobody disables themselves or the last
// admin, even two admins disabling each other at once.
func TestStaffScope(t *testing.T) {
	st, admin, rect := staffWorld(t)
	ctx := context.Background()
	if _, err := st.CreateStaff(ctx, rect, store.NewAccount{Email: "a2@example.fr", Role: store.RoleAdmin}, testInvitation); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("rectorat making an admin: %v", err)
	}
	if _, err := st.DisableStaff(ctx, rect, admin.AccountID, false); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("rectorat disabling an admin: %v", err)
	}
	list, err := st.StaffAccounts(ctx, rect)
	if err != nil || len(list) != 1 || list[0].Role != store.RoleRectorat {
		t.Errorf("rectorat's list %+v, %v", list, err)
	}
	pref, err := st.CreateStaff(ctx, rect, store.NewAccount{Email: "pref@example.fr", Role: store.RolePrefecture, DepartementCode: "25"}, testInvitation)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateStaff(ctx, rect, store.NewAccount{Email: "pref2@example.fr", Role: store.RolePrefecture}, testInvitation); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a prefecture agent without a département: %v", err)
	}
	if _, err := st.CreateStaff(ctx, rect, store.NewAccount{Email: "PREF@example.fr", Role: store.RoleDirector}, testInvitation); !errors.Is(err, store.ErrConflict) {
		t.Errorf("an address taken: %v", err)
	}
	for _, sc := range []store.Scope{store.ScopeOf(pref), {AccountID: 999, Role: store.RoleDirector}, {AccountID: 998, Role: store.RoleParent}} {
		if _, err := st.StaffAccounts(ctx, sc); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s lists staff: %v", sc.Role, err)
		}
		if _, err := st.DisableStaff(ctx, sc, rect.AccountID, false); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s disables the rectorat: %v", sc.Role, err)
		}
		if _, err := st.StaffAccountByID(ctx, sc, rect.AccountID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s reads an account: %v", sc.Role, err)
		}
	}
	if _, err := st.DisableStaff(ctx, rect, rect.AccountID, false); !errors.Is(err, store.ErrOwnAccount) {
		t.Errorf("disabling oneself: %v", err)
	}
	if _, err := st.DisableStaff(ctx, admin, admin.AccountID, false); !errors.Is(err, store.ErrOwnAccount) {
		t.Errorf("disabling oneself: %v", err)
	}
	// Two admins disable each other at once: one goes through, the other is the last one.
	admin2, err := st.CreateAccount(ctx, store.NewAccount{Email: "admin2@example.fr", Password: "correct horse battery", Role: store.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	sc2 := store.ScopeOf(admin2)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, pair := range [][2]any{{admin, admin2.ID}, {sc2, admin.AccountID}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = st.DisableStaff(ctx, pair[0].(store.Scope), pair[1].(int64), false)
		}()
	}
	wg.Wait()
	last := 0
	for _, err := range errs {
		switch {
		case errors.Is(err, store.ErrLastAdmin):
			last++
		case err != nil:
			t.Errorf("disabling an admin: %v", err)
		}
	}
	if last != 1 {
		t.Errorf("errors %v: want exactly one ErrLastAdmin", errs)
	}
	if n := countRows(t, st, `SELECT count(*) FROM account WHERE role = 'admin' AND disabled_at IS NULL`); n != 1 {
		t.Errorf("%d active admins, want 1", n)
	}
}

// TestImportDirectors: one director per school at its address, running its hub; a second run
// creates nothing; the lines the store refuses are reported; the dry run keeps nothing.
func TestImportDirectors(t *testing.T) {
	st, _, rect := staffWorld(t)
	ctx := context.Background()
	rows := []store.DirectorImport{
		{Line: 2, UAI: "0250001A", Email: "ce.0250001A@ac-besancon.fr"},
		{Line: 3, UAI: "0259999Z", Email: "ce.0259999Z@ac-besancon.fr"},
		{Line: 4, UAI: "0250001A", Email: "rect@example.fr"},
	}
	outcomes := func(dry bool) []store.DirectorOutcome {
		t.Helper()
		out, err := st.ImportDirectors(ctx, rect, rows, testInvitation, dry)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	dry := outcomes(true)
	if len(dry) != 3 || dry[0].Action != store.DirectorCreated || dry[1].Reason != store.DirectorUnknownHub ||
		dry[2].Reason != store.DirectorOtherRole || dry[2].Detail != "rectorat" {
		t.Fatalf("dry run %+v", dry)
	}
	if n := countRows(t, st, `SELECT count(*) FROM account WHERE role = 'director'`) + countRows(t, st, `SELECT count(*) FROM outbox_email`); n != 0 {
		t.Fatalf("the dry run kept %d rows", n)
	}
	done := outcomes(false)
	if done[0].Action != store.DirectorCreated || done[0].HubName == "" {
		t.Errorf("import %+v", done)
	}
	if n := countRows(t, st, `SELECT count(*) FROM account a JOIN account_hub ah ON ah.account_id = a.id JOIN hub h ON h.id = ah.hub_id
		WHERE a.email = 'ce.0250001a@ac-besancon.fr' AND a.role = 'director' AND a.password_hash IS NULL AND h.uai = '0250001A'`); n != 1 {
		t.Errorf("the director of 0250001A: %d rows", n)
	}
	if n := countRows(t, st, `SELECT count(*) FROM outbox_email WHERE kind = 'invitation' AND to_address = 'ce.0250001a@ac-besancon.fr'`); n != 1 {
		t.Errorf("%d invitations", n)
	}
	again := outcomes(false)
	if again[0].Action != store.DirectorUnchanged {
		t.Errorf("second import: %+v", again[0])
	}
	if n := countRows(t, st, `SELECT count(*) FROM outbox_email`); n != 1 {
		t.Errorf("a second import sent e-mails: %d in all", n)
	}
}
