// Package mailer sends the e-mails of the outbox: through an SMTP server when one is configured;
// otherwise (local demo) it only notes in the log that each was handled, without its content.
package mailer

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/accueil-prioritaire/accueil/store"
)

// Sender sends messages, on one of its connections (slot, from 0 to Conns()-1). Each slot is
// used by one goroutine at a time.
type Sender interface {
	// Send returns an error wrapping ErrUnreachable when the message was not started because
	// the server could not be reached: sending it again later cannot make a duplicate.
	Send(slot int, m store.Outgoing) error
	Conns() int
	Close()
}

// ErrUnreachable: the mail server could not be reached; the message was not started.
var ErrUnreachable = errors.New("mail server unreachable")

// New returns an SMTP sender for smtpURL ("smtp://user:password@host:port?from=address") with
// conns connections kept open and reused, each exchange bounded by timeout; or a sender that
// writes to log when smtpURL is empty.
func New(smtpURL string, conns int, timeout time.Duration, log *slog.Logger) (Sender, error) {
	if smtpURL == "" {
		return logSender{log: log}, nil
	}
	u, err := url.Parse(smtpURL)
	if err != nil || u.Scheme != "smtp" || u.Host == "" {
		return nil, fmt.Errorf("SMTP_URL must look like smtp://user:password@host:port?from=address")
	}
	s := &smtpSender{addr: u.Host, from: u.Query().Get("from"), timeout: timeout, conns: make([]*smtpConn, max(conns, 1))}
	if s.from == "" {
		s.from = "ne-pas-repondre@accueil-prioritaire.invalid"
	}
	if _, _, err := net.SplitHostPort(u.Host); err != nil {
		s.addr = net.JoinHostPort(u.Host, "25")
	}
	s.host, _, _ = net.SplitHostPort(s.addr)
	if u.User != nil {
		pw, _ := u.User.Password()
		// PlainAuth refuses to send the password unless the link is TLS or to localhost.
		s.auth = smtp.PlainAuth("", u.User.Username(), pw, s.host)
	}
	return s, nil
}

// logSender stands in for SMTP in a local demo. It says only that an e-mail was handled: its
// kind, outbox id and account. Never its address, subject, body or links: a body holds
// children's names, hubs and days, and its links (password reset, confirmation) open the
// account to whoever reads the log. The outbox itself is shown on /dev/emails in DEV_MODE only.
type logSender struct{ log *slog.Logger }

func (l logSender) Send(_ int, m store.Outgoing) error {
	for i, id := range m.Members {
		l.log.Info("e-mail handled, not sent (no SMTP_URL)", slog.Int64("outbox_id", id),
			slog.String("kind", string(m.MemberKinds[i])), slog.Int64("account_id", m.AccountID))
	}
	return nil
}

func (logSender) Conns() int { return 1 }
func (logSender) Close()     {}

// smtpSender keeps one SMTP connection per slot, opened when first needed and again after a
// failure, and reused from message to message (RSET after a refusal).
type smtpSender struct {
	addr, host, from string
	auth             smtp.Auth
	timeout          time.Duration
	conns            []*smtpConn // by slot
}

type smtpConn struct {
	net    net.Conn
	client *smtp.Client
}

func (s *smtpSender) Conns() int { return len(s.conns) }

// Close says goodbye on every connection.
func (s *smtpSender) Close() {
	for i, c := range s.conns {
		if c != nil {
			_ = c.net.SetDeadline(time.Now().Add(s.timeout))
			_ = c.client.Quit()
			c.net.Close()
			s.conns[i] = nil
		}
	}
}

func (s *smtpSender) dial() (*smtpConn, error) {
	nc, err := net.DialTimeout("tcp", s.addr, s.timeout)
	if err != nil {
		return nil, err
	}
	_ = nc.SetDeadline(time.Now().Add(s.timeout))
	c, err := smtp.NewClient(nc, s.host)
	if err == nil {
		err = c.Hello("localhost")
	}
	if err == nil {
		if ok, _ := c.Extension("STARTTLS"); ok {
			err = c.StartTLS(&tls.Config{ServerName: s.host})
		}
	}
	if err == nil && s.auth != nil {
		if ok, _ := c.Extension("AUTH"); ok {
			err = c.Auth(s.auth)
		}
	}
	if err != nil {
		nc.Close()
		return nil, err
	}
	return &smtpConn{net: nc, client: c}, nil
}

// Send sends e on the slot's connection. A connection found closed (the server dropped it
// while idle) is opened again once; until the sender says MAIL FROM on a live connection
// nothing of the message has left, so those failures are ErrUnreachable.
func (s *smtpSender) Send(slot int, m store.Outgoing) error {
	e := m.Email
	c := s.conns[slot]
	for try := 0; ; try++ {
		if c == nil {
			var err error
			if c, err = s.dial(); err != nil {
				return fmt.Errorf("%w: %w", ErrUnreachable, err)
			}
			s.conns[slot] = c
		}
		_ = c.net.SetDeadline(time.Now().Add(s.timeout))
		err := c.client.Mail(s.from)
		if err == nil {
			break
		}
		if isReply(err) {
			return s.fail(slot, err)
		}
		s.drop(slot)
		c = nil
		if try == 1 {
			return fmt.Errorf("%w: %w", ErrUnreachable, err)
		}
	}
	if err := c.client.Rcpt(e.To); err != nil {
		return s.fail(slot, err)
	}
	w, err := c.client.Data()
	if err != nil {
		return s.fail(slot, err)
	}
	if _, err := w.Write(Message(s.from, e, time.Now())); err != nil {
		return s.fail(slot, err)
	}
	if err := w.Close(); err != nil {
		return s.fail(slot, err)
	}
	return nil
}

// fail keeps the connection for the next message after a refusal (RSET), drops it otherwise.
func (s *smtpSender) fail(slot int, err error) error {
	if isReply(err) && s.conns[slot].client.Reset() == nil {
		return err
	}
	s.drop(slot)
	return err
}

func (s *smtpSender) drop(slot int) {
	if c := s.conns[slot]; c != nil {
		c.net.Close()
		s.conns[slot] = nil
	}
}

// isReply: err is the server's answer (a 4xx or 5xx reply), not a broken connection.
func isReply(err error) bool {
	var te *textproto.Error
	return errors.As(err, &te)
}

// replyCode is the SMTP reply code in err, 0 when it is no reply.
func replyCode(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}

// Message writes e as a UTF-8 plain-text message: encoded subject, quoted-printable body.
func Message(from string, e store.Email, date time.Time) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: Accueil prioritaire <%s>\r\n", from)
	fmt.Fprintf(&b, "To: <%s>\r\n", e.To)
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", e.Subject))
	fmt.Fprintf(&b, "Date: %s\r\n", date.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <outbox-%d-%d@accueil-prioritaire>\r\n", e.ID, e.CreatedAt.Unix())
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write([]byte(strings.ReplaceAll(e.Body, "\n", "\r\n")))
	_ = qp.Close()
	return b.Bytes()
}
