package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// changeCause is why a run moved children's seats, as the e-mail to their families says it.
type changeCause string

// The causes.
const (
	causeConfirmation changeCause = "confirmation"   // the day's confirmation at the cutoff
	causeSeatsFreed   changeCause = "seats_freed"    // seats freed or added: the waitlist moves up
	causeCapacityCut  changeCause = "capacity_cut"   // a hub's capacity lowered for a day
	causeHubClosedDay changeCause = "hub_closed_day" // a hub closed for a day
	causeHubClosed    changeCause = "hub_closed"     // a hub closed for good
	causeRebalance    changeCause = "rebalance"      // proposed seats given again by staff
	causeAllocation   changeCause = "allocation"     // waiting requests placed by staff
	causeBroughtBack  changeCause = "brought_back"   // a cut hub's seats restored: children come back
)

// causeOf is the cause of a run of kind when nothing more precise is known.
func causeOf(kind AllocationKind) changeCause {
	switch kind {
	case KindConfirmation:
		return causeConfirmation
	case KindPromotion:
		return causeSeatsFreed
	case KindReplacement:
		return causeCapacityCut
	case KindRebalance:
		return causeRebalance
	default:
		return causeAllocation
	}
}

// causeLabel is the cause in a few words, at the end of each line of the e-mail: a family's
// e-mails of a short window are merged into one that keeps only their lines (mergeEmails).
var causeLabel = map[changeCause][2]string{
	causeConfirmation: {"confirmation de la veille", "confirmation the day before"},
	causeSeatsFreed:   {"une place s’est libérée", "a seat freed up"},
	causeCapacityCut:  {"moins de places dans ce pôle ce jour-là", "fewer seats at that hub that day"},
	causeHubClosedDay: {"pôle fermé ce jour-là", "hub closed that day"},
	causeHubClosed:    {"pôle fermé", "hub closed"},
	causeRebalance:    {"places redistribuées par le rectorat", "seats given again by the rectorat"},
	causeAllocation:   {"attribution par le rectorat", "allocation by the rectorat"},
	causeBroughtBack:  {"le pôle a retrouvé ses places", "the hub has its seats back"},
}

// causeText is what the e-mail says of each cause, in French and in English.
var causeText = map[changeCause][2]string{
	causeConfirmation: {"Les places ont été confirmées la veille : quand elles manquent, elles vont d’abord aux professions de niveau 1, puis 2, puis 3.",
		"Seats were confirmed the day before: when they run short, they go first to tier 1 professions, then tier 2, then tier 3."},
	causeSeatsFreed: {"Des places se sont libérées : les enfants en liste d’attente en reçoivent une, par ordre de priorité.",
		"Seats freed up: children on the waitlist are given one, in priority order."},
	causeCapacityCut: {"Le pôle où votre enfant avait sa place en a moins ce jour-là, sur décision de la préfecture ou du rectorat.",
		"The hub where your child had a seat has fewer seats that day, by decision of the prefecture or the rectorat."},
	causeHubClosedDay: {"Le pôle où votre enfant avait sa place est fermé ce jour-là.",
		"The hub where your child had a seat is closed that day."},
	causeHubClosed: {"Le pôle où votre enfant avait sa place a fermé.",
		"The hub where your child had a seat has closed."},
	causeRebalance: {"Les places proposées ont été redistribuées par le rectorat, pour rapprocher les enfants de chez eux et accueillir ceux qui attendaient.",
		"Proposed seats were given again by the rectorat, to bring children closer to home and host those who were waiting."},
	causeAllocation: {"Les demandes en attente ont été attribuées par le rectorat.",
		"Waiting requests were allocated by the rectorat."},
	causeBroughtBack: {"Le pôle que votre enfant avait dû quitter a retrouvé ses places : votre enfant y retourne.",
		"The hub your child had to leave has its seats back: your child returns there."},
}

// notifyChanges queues one e-mail per family whose answer this run changed (another hub, a seat
// given or lost) or, for a confirmation run, confirmed. Each e-mail says why (cause) and, for a
// child who had a seat, which hub it was: its seat before the run or, when the run places
// children whose seat was just taken away (movedFrom, 0 when none), that hub. It runs in the
// run's transaction, so the e-mails leave only if the run is kept. It returns how many families
// it wrote to.
func (s *Store) notifyChanges(ctx context.Context, cause changeCause, movedFrom int64, before map[cdKey]requestRow, outcomes []Outcome) (int, error) {
	hubIDs := []int64{movedFrom}
	for _, o := range outcomes {
		if o.HubID != 0 {
			hubIDs = append(hubIDs, o.HubID)
		}
		if prev, ok := before[cdKey{o.ChildID, o.Day.Format(time.DateOnly)}]; ok && prev.PlacedHub.Valid {
			hubIDs = append(hubIDs, prev.PlacedHub.Int64)
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
		if !changed && cause != causeConfirmation {
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
		had := movedFrom
		if prev.PlacedHub.Valid {
			had = prev.PlacedHub.Int64
		}
		if had != 0 && had != o.HubID {
			fr += fmt.Sprintf(" Avant : %s.", hubs[had].Name)
			en += fmt.Sprintf(" Before: %s.", hubs[had].Name)
		}
		fr += fmt.Sprintf(" Motif : %s.", causeLabel[cause][0])
		en += fmt.Sprintf(" Why: %s.", causeLabel[cause][1])
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
			body: "Bonjour,\n\n" + causeText[cause][0] + "\n\nVoici les changements pour vos enfants :\n" + strings.Join(linesFR[e], "\n") +
				"\n\nRetrouvez le détail dans « Mon foyer ».\n\n---\n\nHello,\n\n" + causeText[cause][1] + "\n\nHere are the changes for your children:\n" +
				strings.Join(linesEN[e], "\n") + "\n\nSee the details under “My household”.\n"})
	}
	return len(mails), s.queueEmails(ctx, mails)
}
