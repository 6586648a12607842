package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/lib/pq"
)

// Account is a person who logs in. DepartementCode is set for prefecture agents only.
type Account struct {
	ID               int64      `db:"id"`
	Email            string     `db:"email"`
	Role             Role       `db:"role"`
	DisplayName      string     `db:"display_name"`
	DepartementCode  string     `db:"departement_code"`
	EmailConfirmedAt *time.Time `db:"email_confirmed_at"`
	CreatedAt        time.Time  `db:"created_at"`
	LastLoginAt      *time.Time `db:"last_login_at"`
}

// NewAccount is what creating an account takes. Password may be empty: the account then has no
// password until a reset.
type NewAccount struct {
	Email           string
	Password        string
	Role            Role
	DisplayName     string
	DepartementCode string
	// HubIDs are the hubs a director runs.
	HubIDs []int64
}

const accountColumns = `a.id, a.email, a.role, a.display_name, COALESCE(a.departement_code, '') AS departement_code,
	a.email_confirmed_at, a.created_at, a.last_login_at`

// NormalizeEmail is the form e-mails are compared and stored in.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// CreateAccount creates an account. It returns ErrConflict when the e-mail is taken and ErrInvalid
// when the role and scope do not fit (a prefecture agent without a département, say).
func (s *Store) CreateAccount(ctx context.Context, n NewAccount) (Account, error) {
	if !n.Role.Valid() {
		return Account{}, fmt.Errorf("%w: role %q", ErrInvalid, n.Role)
	}
	var hash *string
	if n.Password != "" {
		h, err := HashPassword(n.Password)
		if err != nil {
			return Account{}, err
		}
		hash = &h
	}
	var a Account
	err := s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		var id int64
		err := tx.q.QueryRowxContext(ctx, `
			INSERT INTO account (email, password_hash, role, display_name, departement_code)
			VALUES ($1, $2, $3, $4, NULLIF($5, ''))
			RETURNING id`,
			NormalizeEmail(n.Email), hash, n.Role, n.DisplayName, n.DepartementCode).Scan(&id)
		if err != nil {
			return translate(err)
		}
		if len(n.HubIDs) > 0 {
			if n.Role != RoleDirector {
				return fmt.Errorf("%w: only directors have hubs", ErrInvalid)
			}
			if _, err := tx.q.ExecContext(ctx, `
				INSERT INTO account_hub (account_id, hub_id) SELECT $1, unnest($2::bigint[])`,
				id, pq.Array(n.HubIDs)); err != nil {
				return translate(err)
			}
		}
		a, err = tx.AccountByID(ctx, id)
		return err
	})
	return a, err
}

// AccountByID returns the account, or ErrNotFound.
func (s *Store) AccountByID(ctx context.Context, id int64) (Account, error) {
	var a Account
	err := s.q.GetContext(ctx, &a, `SELECT `+accountColumns+` FROM account a WHERE a.id = $1 AND a.disabled_at IS NULL`, id)
	return a, translate(err)
}

// Login throttling. Failures are counted per (address, client network) and per client network
// (any address), never per address alone, so that a guesser elsewhere cannot lock the owner
// out: only the network the guesses come from is refused, for that address or, past
// LoginFailuresPerNetwork, for every address. A client network is the IPv4 address, or the /64
// of an IPv6 address (one subscriber gets a whole /64 and could otherwise rotate through it).
//
// Guessing one address from many networks is not stopped by these counts, and need not be:
// it stays slow because passwords have 12 characters or more and the common ones are refused
// (api's password policy), so the few thousand guesses a network may make are drawn from a
// space far too large to search; every guess costs an argon2id hash (19 MiB, 2 passes), which
// bounds what the whole service can check, however many networks ask; and each network is
// capped both here and by the per-IP limit on the login route. A completed password reset
// clears the address's failures everywhere, and a successful login clears the address's
// failures from that network.
const (
	LoginFailuresAllowed    = 10  // per address, from one client network
	LoginFailuresPerNetwork = 100 // any addresses, from one client network
	LoginFailureWindow      = 15 * time.Minute
)

// clientNetwork is the key failures are counted under for the client address ip: the address
// itself, or the /64 of an IPv6 address. The HTTP layer always has an address; a caller without
// one shares the bucket 0.0.0.0.
func clientNetwork(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return "0.0.0.0"
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64) // an IPv6 address always has a /64
	return p.String()
}

// Authenticate checks an e-mail and password for a client at address ip. It returns
// ErrUnauthorized for an unknown e-mail, a wrong password or a disabled account alike, and
// ErrThrottled when this client's network made too many failures for this address, or for any.
func (s *Store) Authenticate(ctx context.Context, email, password, ip string) (Account, error) {
	email = NormalizeEmail(email)
	network := clientNetwork(ip)
	var failures struct {
		ForAddress int `db:"for_address"`
		All        int `db:"all_addresses"`
	}
	if err := s.q.GetContext(ctx, &failures, `
		SELECT count(*) FILTER (WHERE email = $1) AS for_address, count(*) AS all_addresses
		FROM login_failure WHERE ip = $2::inet AND at > $3`,
		email, network, s.now().Add(-LoginFailureWindow)); err != nil {
		return Account{}, err
	}
	if failures.ForAddress >= LoginFailuresAllowed || failures.All >= LoginFailuresPerNetwork {
		return Account{}, ErrThrottled
	}
	var row struct {
		ID   int64          `db:"id"`
		Hash sql.NullString `db:"password_hash"`
	}
	err := s.q.GetContext(ctx, &row, `SELECT id, password_hash FROM account WHERE email = $1 AND disabled_at IS NULL`, email)
	if err != nil && err != sql.ErrNoRows {
		return Account{}, err
	}
	hash := dummyHash
	if row.Hash.Valid {
		hash = row.Hash.String
	}
	ok, herr := PasswordMatches(hash, password)
	if herr != nil {
		return Account{}, herr
	}
	if !ok || row.ID == 0 || !row.Hash.Valid {
		if _, err := s.q.ExecContext(ctx, `INSERT INTO login_failure (email, at, ip) VALUES ($1, $2, $3::inet)`,
			email, s.now(), network); err != nil {
			return Account{}, err
		}
		return Account{}, ErrUnauthorized
	}
	if _, err := s.q.ExecContext(ctx, `DELETE FROM login_failure WHERE email = $1 AND ip = $2::inet`, email, network); err != nil {
		return Account{}, err
	}
	if _, err := s.q.ExecContext(ctx, `UPDATE account SET last_login_at = $2 WHERE id = $1`, row.ID, s.now()); err != nil {
		return Account{}, err
	}
	return s.AccountByID(ctx, row.ID)
}

// SetPassword replaces an account's password.
func (s *Store) SetPassword(ctx context.Context, accountID int64, password string) error {
	h, err := HashPassword(password)
	if err != nil {
		return err
	}
	res, err := s.q.ExecContext(ctx, `UPDATE account SET password_hash = $2 WHERE id = $1`, accountID, h)
	if err != nil {
		return translate(err)
	}
	return mustAffect(res)
}

func mustAffect(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// HubIDsByUAI returns the ids of the hubs with these UAI codes, in the same order; an unknown
// code is ErrNotFound.
func (s *Store) HubIDsByUAI(ctx context.Context, uais []string) ([]int64, error) {
	ids := make([]int64, 0, len(uais))
	for _, u := range uais {
		var id int64
		if err := s.q.GetContext(ctx, &id, `SELECT id FROM hub WHERE uai = $1`, strings.ToUpper(u)); err != nil {
			return nil, fmt.Errorf("hub %s: %w", u, translate(err))
		}
		ids = append(ids, id)
	}
	return ids, nil
}
