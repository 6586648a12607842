package store

import (
	"context"
	"database/sql"
	"fmt"
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

// Login slowing. Wrong passwords are counted per (client network, address) pair and per client
// network (any address), never per address alone, so that a guesser elsewhere cannot slow the
// owner down, let alone lock them out. A pair gets LoginFreeFailures failures in
// LoginFailureWindow for free (a day, so that a patient guesser stays at the longest delay);
// after that it must wait, from its last failure, a delay that starts at LoginFirstDelay and
// doubles with each further failure up to LoginMaxDelay (LoginDelay), and is answered
// ErrThrottled with that wait until then. Nothing is ever locked: the pair may try again once
// its delay is over, and every other network goes on as before. A network that failed
// LoginFailuresPerNetwork times in LoginNetworkWindow, whatever the addresses, is refused until
// enough of its failures leave that window: only it, and only someone sharing it can cause
// that. A client network is ClientNetwork's (an IPv4 address, or an IPv6 /64).
//
// Guessing one address from many networks is not stopped by these counts, and need not be:
// it stays slow because passwords have 12 characters or more and the common ones are refused
// (api's password policy), so the few guesses a network may make are drawn from a space far
// too large to search; every guess costs an argon2id hash (19 MiB, 2 passes), which bounds what
// the whole service can check, however many networks ask; and each network is capped both here
// and by the shared per-address limit on the login route (api's Limits). A completed password
// reset clears the address's failures everywhere, and a successful login clears the address's
// failures from that network.
const (
	LoginFreeFailures       = 5 // per address, from one client network, before any delay
	LoginFirstDelay         = time.Second
	LoginMaxDelay           = 15 * time.Minute
	LoginFailureWindow      = 24 * time.Hour
	LoginFailuresPerNetwork = 300 // any addresses, from one client network, in LoginNetworkWindow
	LoginNetworkWindow      = time.Hour
)

// LoginDelay is how long a (client network, address) pair with this many failures in the
// window waits after the last one before it may try again.
func LoginDelay(failures int) time.Duration {
	if failures < LoginFreeFailures {
		return 0
	}
	d := LoginFirstDelay
	for i := LoginFreeFailures; i < failures && d < LoginMaxDelay; i++ {
		d *= 2
	}
	return min(d, LoginMaxDelay)
}

// loginWait is how long a client at network must wait before trying email again: 0, or the
// pair's delay, or until the network's failures fall under LoginFailuresPerNetwork.
func (s *Store) loginWait(ctx context.Context, email, network string) (time.Duration, error) {
	now := s.now()
	since, networkSince := now.Add(-LoginFailureWindow), now.Add(-LoginNetworkWindow)
	var f struct {
		Pair     int        `db:"pair"`
		PairLast *time.Time `db:"pair_last"`
		Network  int        `db:"network"`
	}
	if err := s.q.GetContext(ctx, &f, `
		SELECT count(*) FILTER (WHERE email = $1) AS pair, max(at) FILTER (WHERE email = $1) AS pair_last,
			count(*) FILTER (WHERE at > $4) AS network
		FROM login_failure WHERE ip = $2::inet AND at > $3`, email, network, since, networkSince); err != nil {
		return 0, err
	}
	var wait time.Duration
	if f.PairLast != nil {
		wait = f.PairLast.Add(LoginDelay(f.Pair)).Sub(now)
	}
	if f.Network >= LoginFailuresPerNetwork {
		// The network may try again once its LoginFailuresPerNetwork-th latest failure leaves
		// its window.
		var at time.Time
		if err := s.q.GetContext(ctx, &at, `
			SELECT at FROM login_failure WHERE ip = $1::inet AND at > $2
			ORDER BY at DESC OFFSET $3 LIMIT 1`, network, networkSince, LoginFailuresPerNetwork-1); err != nil {
			return 0, err
		}
		wait = max(wait, at.Add(LoginNetworkWindow).Sub(now))
	}
	return max(wait, 0), nil
}

// Authenticate checks an e-mail and password for a client at address ip. It returns
// ErrUnauthorized for an unknown e-mail, a wrong password or a disabled account alike, and a
// *LimitError of kind ErrThrottled, with the wait, while this client's network is slowed down
// for this address or for any (see LoginDelay), without checking the password.
func (s *Store) Authenticate(ctx context.Context, email, password, ip string) (Account, error) {
	email = NormalizeEmail(email)
	network := ClientNetwork(ip)
	wait, err := s.loginWait(ctx, email, network)
	if err != nil {
		return Account{}, err
	}
	if wait > 0 {
		return Account{}, &LimitError{Kind: ErrThrottled, Wait: wait}
	}
	var row struct {
		ID   int64          `db:"id"`
		Hash sql.NullString `db:"password_hash"`
	}
	err = s.q.GetContext(ctx, &row, `SELECT id, password_hash FROM account WHERE email = $1 AND disabled_at IS NULL`, email)
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
