package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
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

// noticeEmails are the e-mails of notices, one per family, with the hubs named as they are now.
// It only reads.
func (s *Store) noticeEmails(ctx context.Context, cause changeCause, ns []notice) ([]email, error) {
	if len(ns) == 0 {
		return nil, nil
	}
	var hubIDs []int64
	for _, n := range ns {
		hubIDs = append(hubIDs, n.hub, n.had)
	}
	hubs, err := s.hubInfo(ctx, hubIDs)
	if err != nil {
		return nil, err
	}
	return composeNotices(cause, ns, hubs), nil
}

// composeNotices writes one e-mail per family of ns. Each says why (cause), and for each child-day
// the answer now, the hub the child leaves and the cause in a few words.
func composeNotices(cause changeCause, ns []notice, hubs map[int64]hubLabel) []email {
	hubText := func(id int64) string { return hubs[id].Name + ", " + hubs[id].Address }
	linesFR := map[string][]string{}
	linesEN := map[string][]string{}
	for _, n := range ns {
		day := n.day.Format("02/01/2006")
		var fr, en string
		switch n.status {
		case RequestWaitlisted:
			fr = fmt.Sprintf("- %s, le %s : liste d'attente. %s", n.child, day, n.reasonFR)
			en = fmt.Sprintf("- %s, on %s: waitlist. %s", n.child, day, n.reasonEN)
		case RequestConfirmed:
			fr = fmt.Sprintf("- %s, le %s : place confirmée à %s.", n.child, day, hubText(n.hub))
			en = fmt.Sprintf("- %s, on %s: seat confirmed at %s.", n.child, day, hubText(n.hub))
		default:
			fr = fmt.Sprintf("- %s, le %s : place proposée à %s.", n.child, day, hubText(n.hub))
			en = fmt.Sprintf("- %s, on %s: seat proposed at %s.", n.child, day, hubText(n.hub))
		}
		if n.had != 0 {
			fr += fmt.Sprintf(" Avant : %s.", hubs[n.had].Name)
			en += fmt.Sprintf(" Before: %s.", hubs[n.had].Name)
		}
		fr += fmt.Sprintf(" Motif : %s.", causeLabel[cause][0])
		en += fmt.Sprintf(" Why: %s.", causeLabel[cause][1])
		linesFR[n.to] = append(linesFR[n.to], fr)
		linesEN[n.to] = append(linesEN[n.to], en)
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
	return mails
}
