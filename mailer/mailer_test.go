package mailer

import (
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"strings"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/mailer/mailsink"
	"github.com/accueil-prioritaire/accueil/store"
)

// smtpServer is a real SMTP server on loopback that hands over each message it accepts.
func smtpServer(t *testing.T) (addr string, got chan string) {
	t.Helper()
	arrived := make(chan mailsink.Message, 4)
	sink, err := mailsink.Start("127.0.0.1:0", mailsink.Options{Arrived: arrived})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sink.Stop)
	got = make(chan string, 4)
	go func() {
		for m := range arrived {
			got <- m.Data
		}
	}()
	return sink.Addr(), got
}

func TestSMTPSenderDeliversUTF8(t *testing.T) {
	addr, got := smtpServer(t)
	s, err := New("smtp://"+addr+"?from=accueil@example.fr", 1, time.Minute, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e := store.Email{ID: 7, To: "eloise@example.fr", Subject: "Accueil prioritaire : votre réservation", Body: "Éloïse, le 24/11 : place confirmée à l'École Jean-Macé.\nÀ bientôt.", CreatedAt: time.Date(2026, 11, 23, 18, 5, 0, 0, time.UTC)}
	if err := s.Send(0, store.Outgoing{Email: e, Members: []int64{e.ID}, MemberKinds: []store.EmailKind{e.Kind}}); err != nil {
		t.Fatal(err)
	}
	msg := <-got
	head, body, _ := strings.Cut(msg, "\r\n\r\n")
	var subject string
	for _, l := range strings.Split(head, "\r\n") {
		if v, ok := strings.CutPrefix(l, "Subject: "); ok {
			subject, _ = new(mime.WordDecoder).DecodeHeader(v)
		}
	}
	if subject != e.Subject {
		t.Errorf("subject %q", subject)
	}
	decoded, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
	if err != nil || !strings.Contains(string(decoded), "Éloïse, le 24/11 : place confirmée à l'École Jean-Macé.") {
		t.Errorf("body %q (%v)", decoded, err)
	}
	if _, err := New("http://nope", 1, time.Minute, nil); err == nil {
		t.Error("a non-smtp URL was accepted")
	}
}

// Hole 5: without SMTP every e-mail used to be written whole to the log, working reset links
// included. The log now says only that an e-mail was handled: its kind, outbox id and account.
func TestLogSenderWritesNoContent(t *testing.T) {
	var buf strings.Builder
	s, err := New("", 1, time.Minute, slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	e := store.Email{ID: 42, Kind: store.EmailReset, AccountID: 7, To: "eloise@example.fr",
		Subject: "Accueil prioritaire : nouveau mot de passe",
		Body:    "Éloïse, ouvrez http://localhost:8080/reinitialiser?jeton=Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg"}
	if err := s.Send(0, store.Outgoing{Email: e, Members: []int64{e.ID}, MemberKinds: []store.EmailKind{e.Kind}}); err != nil {
		t.Fatal(err)
	}
	log := buf.String()
	for _, want := range []string{`"outbox_id":42`, `"kind":"reset_password"`, `"account_id":7`} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %s: %s", want, log)
		}
	}
	for _, secret := range []string{"eloise@example.fr", "example.fr", "mot de passe", "Éloïse", "jeton", "Zm9vYmFyYmF6", "reinitialiser"} {
		if strings.Contains(log, secret) {
			t.Errorf("the log holds %q: %s", secret, log)
		}
	}
}
