package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// notifyChanges queues one e-mail per family whose answer this run changed (another hub, a seat
// given or lost) or, for a confirmation run, confirmed. It runs in the run's transaction, so the
// e-mails leave only if the run is kept. It returns how many families it wrote to.
func (s *Store) notifyChanges(ctx context.Context, kind AllocationKind, before map[cdKey]requestRow, outcomes []Outcome) (int, error) {
	var hubIDs []int64
	for _, o := range outcomes {
		if o.HubID != 0 {
			hubIDs = append(hubIDs, o.HubID)
		}
	}
	hubs, err := s.hubInfo(ctx, hubIDs)
	if err != nil {
		return 0, err
	}
	hubText := map[int64]string{}
	for _, h := range hubs {
		hubText[h.ID] = h.Name + ", " + h.Address
	}
	linesFR := map[string][]string{}
	linesEN := map[string][]string{}
	for _, o := range outcomes {
		prev, ok := before[cdKey{o.ChildID, o.Day.Format(time.DateOnly)}]
		if !ok {
			continue
		}
		changed := prev.PlacedHub.Int64 != o.HubID || prev.Waitlisted != (o.Status == RequestWaitlisted)
		if !changed && kind != KindConfirmation {
			continue
		}
		day := o.Day.Format("02/01/2006")
		var fr, en string
		switch o.Status {
		case RequestWaitlisted:
			fr = fmt.Sprintf("- %s, le %s : liste d'attente. %s", prev.FirstName, day, o.ReasonFR)
			en = fmt.Sprintf("- %s, on %s: waitlist. %s", prev.FirstName, day, o.ReasonEN)
		case RequestConfirmed:
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
	var mails []email
	for _, e := range emails {
		mails = append(mails, email{kind: EmailSeatsChanged, to: e, subject: "Accueil prioritaire : vos places ont changé / your seats changed",
			body: "Bonjour,\n\nVoici les changements pour vos enfants :\n" + strings.Join(linesFR[e], "\n") +
				"\n\nRetrouvez le détail dans « Mon foyer ».\n\n---\n\nHello,\n\nHere are the changes for your children:\n" +
				strings.Join(linesEN[e], "\n") + "\n\nSee the details under “My household”.\n"})
	}
	return len(mails), s.queueEmails(ctx, mails)
}
