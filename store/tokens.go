package store

import (
	"context"
	"database/sql"
	"time"
)

// TokenPurpose says what a token sent by e-mail allows.
type TokenPurpose string

// The purposes.
const (
	ConfirmEmail  TokenPurpose = "confirm_email"
	ResetPassword TokenPurpose = "reset_password"
)

// CreateToken makes a single-use token for an account and returns it; only its hash is stored.
func (s *Store) CreateToken(ctx context.Context, accountID int64, purpose TokenPurpose, ttl time.Duration) (string, error) {
	token := RandomToken()
	_, err := s.q.ExecContext(ctx, `INSERT INTO account_token (token_hash, account_id, purpose, expires_at) VALUES ($1, $2, $3, $4)`,
		tokenHash(token), accountID, purpose, s.now().Add(ttl))
	return token, translate(err)
}

// UseToken spends a token: it returns its account, or ErrNotFound when the token is unknown,
// spent, expired or for another purpose.
func (s *Store) UseToken(ctx context.Context, token string, purpose TokenPurpose) (int64, error) {
	var id int64
	err := s.q.GetContext(ctx, &id, `
		UPDATE account_token SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
		RETURNING account_id`, tokenHash(token), purpose, s.now())
	return id, translate(err)
}

// ConfirmEmail marks an account's address as confirmed.
func (s *Store) ConfirmEmail(ctx context.Context, accountID int64) error {
	_, err := s.q.ExecContext(ctx, `UPDATE account SET email_confirmed_at = COALESCE(email_confirmed_at, $2) WHERE id = $1`, accountID, s.now())
	return err
}

// AccountIDByEmail returns the id of an active account, or ErrNotFound.
func (s *Store) AccountIDByEmail(ctx context.Context, email string) (int64, error) {
	var id int64
	err := s.q.GetContext(ctx, &id, `SELECT id FROM account WHERE email = $1 AND disabled_at IS NULL`, NormalizeEmail(email))
	return id, translate(err)
}

// ResetPasswordWith spends a reset token and sets the new password, closing every session of
// the account and clearing the login failures of its address, in one transaction.
func (s *Store) ResetPasswordWith(ctx context.Context, token, password string) error {
	return s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		id, err := tx.UseToken(ctx, token, ResetPassword)
		if err != nil {
			return err
		}
		if err := tx.SetPassword(ctx, id, password); err != nil {
			return err
		}
		if _, err := tx.q.ExecContext(ctx, `DELETE FROM session WHERE account_id = $1`, id); err != nil {
			return err
		}
		// The owner proved they hold the address, and guesses at the old password are moot:
		// the address is no longer refused anywhere.
		if _, err := tx.q.ExecContext(ctx, `DELETE FROM login_failure WHERE email = (SELECT email FROM account WHERE id = $1)`, id); err != nil {
			return err
		}
		// A reset proves the address too.
		return tx.ConfirmEmail(ctx, id)
	})
}

// EmailKind says what an e-mail is about: the only thing of it a log may hold.
type EmailKind string

// The kinds of e-mail.
const (
	EmailNotice       EmailKind = "notice"
	EmailConfirm      EmailKind = "confirm_email"
	EmailReset        EmailKind = "reset_password"
	EmailBooking      EmailKind = "booking"
	EmailCancellation EmailKind = "cancellation"
	EmailSeatsChanged EmailKind = "seats_changed"
	// EmailInvitation invites a staff account made on the administration page to choose its password.
	EmailInvitation EmailKind = "invitation"
)

// QueueEmail adds an e-mail of kind EmailNotice to the outbox, sent by the outbox worker.
func (s *Store) QueueEmail(ctx context.Context, to, subject, body string) error {
	return s.QueueEmailOf(ctx, EmailNotice, to, subject, body)
}

// QueueEmailOf adds an e-mail of kind to the outbox, sent by the outbox worker.
func (s *Store) QueueEmailOf(ctx context.Context, kind EmailKind, to, subject, body string) error {
	return s.queueEmails(ctx, []email{{kind: kind, to: NormalizeEmail(to), subject: subject, body: body}})
}

// EmailQueuedSince reports whether an e-mail with this subject was queued to the address since.
func (s *Store) EmailQueuedSince(ctx context.Context, to, subject string, since time.Time) (bool, error) {
	var found bool
	err := s.q.GetContext(ctx, &found, `SELECT EXISTS (SELECT 1 FROM outbox_email WHERE to_address = $1 AND subject = $2 AND created_at >= $3)`,
		NormalizeEmail(to), subject, since)
	return found, err
}

// Email is a queued e-mail. AccountID is the account of its address, 0 when there is none.
type Email struct {
	ID        int64      `db:"id"`
	Kind      EmailKind  `db:"kind"`
	AccountID int64      `db:"account_id"`
	To        string     `db:"to_address"`
	Subject   string     `db:"subject"`
	Body      string     `db:"body_text"`
	CreatedAt time.Time  `db:"created_at"`
	Attempts  int        `db:"attempts"`
	SentAt    *time.Time `db:"sent_at"`
}

// emailColumns are Email's, over outbox_email o.
const emailColumns = `o.id, o.kind, COALESCE((SELECT a.id FROM account a WHERE a.email = o.to_address), 0) AS account_id,
	o.to_address, o.subject, o.body_text, o.created_at, o.attempts, o.sent_at`

// RecentEmails lists the latest e-mails of the outbox (the development page).
func (s *Store) RecentEmails(ctx context.Context, limit int) ([]Email, error) {
	var out []Email
	err := s.q.SelectContext(ctx, &out, `SELECT `+emailColumns+` FROM outbox_email o ORDER BY o.id DESC LIMIT $1`, limit)
	return out, err
}
