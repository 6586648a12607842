// Package mailer sends the e-mails of the outbox: through an SMTP server when one is configured;
// otherwise (local demo) it only notes in the log that each was handled, without its content.
package mailer

import (
	"bytes"
	"fmt"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"github.com/accueil-prioritaire/accueil/store"
)

// Sender sends one e-mail.
type Sender interface {
	Send(e store.Email) error
}

// New returns an SMTP sender for smtpURL ("smtp://user:password@host:port?from=address"), or a
// sender that writes to log when smtpURL is empty.
func New(smtpURL string, log *slog.Logger) (Sender, error) {
	if smtpURL == "" {
		return logSender{log: log}, nil
	}
	u, err := url.Parse(smtpURL)
	if err != nil || u.Scheme != "smtp" || u.Host == "" {
		return nil, fmt.Errorf("SMTP_URL must look like smtp://user:password@host:port?from=address")
	}
	s := &smtpSender{addr: u.Host, from: u.Query().Get("from")}
	if s.from == "" {
		s.from = "ne-pas-repondre@accueil-prioritaire.invalid"
	}
	if _, _, err := net.SplitHostPort(u.Host); err != nil {
		s.addr = net.JoinHostPort(u.Host, "25")
	}
	if u.User != nil {
		pw, _ := u.User.Password()
		host, _, _ := net.SplitHostPort(s.addr)
		// PlainAuth refuses to send the password unless the link is TLS or to localhost.
		s.auth = smtp.PlainAuth("", u.User.Username(), pw, host)
	}
	return s, nil
}

// logSender stands in for SMTP in a local demo. It says only that an e-mail was handled: its
// kind, outbox id and account. Never its address, subject, body or links: a body holds
// children's names, hubs and days, and its links (password reset, confirmation) open the
// account to whoever reads the log. The outbox itself is shown on /dev/emails in DEV_MODE only.
type logSender struct{ log *slog.Logger }

func (l logSender) Send(e store.Email) error {
	l.log.Info("e-mail handled, not sent (no SMTP_URL)", slog.Int64("outbox_id", e.ID),
		slog.String("kind", string(e.Kind)), slog.Int64("account_id", e.AccountID))
	return nil
}

type smtpSender struct {
	addr string
	from string
	auth smtp.Auth
}

func (s *smtpSender) Send(e store.Email) error {
	return smtp.SendMail(s.addr, s.auth, s.from, []string{e.To}, Message(s.from, e, time.Now()))
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
