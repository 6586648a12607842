package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/lib/pq"
)

// notifyChanges queues one e-mail per family whose answer this run changed (another hub, a seat
// given or lost) or, for a confirmation run, confirmed. It runs in the run's transaction, so the
// e-mails leave only if the run is kept.
func (s *Store) notifyChanges(ctx context.Context, kind AllocationKind, before map[cdKey]requestRow, outcomes []Outcome) error {
	var hubIDs []int64
	for _, o := range outcomes {
		if o.HubID != 0 {
			hubIDs = append(hubIDs, o.HubID)
		}
	}
	var hubs []struct {
		ID      int64  `db:"id"`
		Name    string `db:"name"`
		Address string `db:"address"`
		Commune string `db:"commune"`
	}
	if err := s.q.SelectContext(ctx, &hubs, `
		SELECT h.id, h.name, h.address, c.name AS commune FROM hub h JOIN commune c ON c.insee_code = h.commune_code
		WHERE h.id = ANY($1)`, pq.Array(hubIDs)); err != nil {
		return err
	}
	hubText := map[int64]string{}
	for _, h := range hubs {
		hubText[h.ID] = fmt.Sprintf("%s, %s, %s", h.Name, h.Address, h.Commune)
	}
	linesFR := map[string][]string{}
	linesEN := map[string][]string{}
	for _, o := range outcomes {
		prev, ok := before[cdKey{o.ChildID, o.Day.Format(time.DateOnly)}]
		if !ok {
			continue
		}
		changed := prev.PlacedHub.Int64 != o.HubID || prev.Waitlisted != (o.Status == "waitlisted")
		if !changed && kind != KindConfirmation {
			continue
		}
		day := o.Day.Format("02/01/2006")
		var fr, en string
		switch o.Status {
		case "waitlisted":
			fr = fmt.Sprintf("- %s, le %s : liste d'attente. %s", prev.FirstName, day, o.ReasonFR)
			en = fmt.Sprintf("- %s, on %s: waitlist. %s", prev.FirstName, day, o.ReasonEN)
		case string(Confirmed):
			fr = fmt.Sprintf("- %s, le %s : place confirmée à %s.", prev.FirstName, day, hubText[o.HubID])
			en = fmt.Sprintf("- %s, on %s: seat confirmed at %s.", prev.FirstName, day, hubText[o.HubID])
		default:
			fr = fmt.Sprintf("- %s, le %s : place proposée à %s.", prev.FirstName, day, hubText[o.HubID])
			en = fmt.Sprintf("- %s, on %s: seat proposed at %s.", prev.FirstName, day, hubText[o.HubID])
		}
		linesFR[prev.Email] = append(linesFR[prev.Email], fr)
		linesEN[prev.Email] = append(linesEN[prev.Email], en)
	}
	emails := make([]string, 0, len(linesFR))
	for e := range linesFR {
		emails = append(emails, e)
	}
	sort.Strings(emails)
	var to, subject, body []string
	for _, e := range emails {
		to = append(to, e)
		subject = append(subject, "Accueil prioritaire : vos places ont changé / your seats changed")
		body = append(body, "Bonjour,\n\nVoici les changements pour vos enfants :\n"+strings.Join(linesFR[e], "\n")+
			"\n\nRetrouvez le détail dans « Mon foyer ».\n\n---\n\nHello,\n\nHere are the changes for your children:\n"+
			strings.Join(linesEN[e], "\n")+"\n\nSee the details under “My household”.\n")
	}
	if len(to) == 0 {
		return nil
	}
	_, err := s.q.ExecContext(ctx, `
		INSERT INTO outbox_email (to_address, subject, body_text, created_at, next_attempt_at)
		SELECT t, s, b, $4, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS f(t, s, b)`,
		pq.Array(to), pq.Array(subject), pq.Array(body), s.now())
	return translate(err)
}
