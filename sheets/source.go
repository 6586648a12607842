package sheets

import (
	"context"
	"iter"
	"time"

	"github.com/accueil-prioritaire/accueil/store"
)

// FromStore turns the store's hub-day sheet into the sheet to render; printedAt should be in
// Europe/Paris.
func FromStore(d store.HubDaySheet, printedAt time.Time) Sheet {
	sh := Sheet{
		Hub:       Hub{ID: d.Hub.ID, UAI: d.Hub.UAI, Name: d.Hub.Name, Address: d.Hub.Address, Commune: d.Hub.Commune},
		Day:       d.Day,
		Director:  d.Director,
		PrintedAt: printedAt,
		Capacity:  d.Capacity,
	}
	for _, c := range d.Children {
		sh.Children = append(sh.Children, Child{ID: c.ID, FirstName: c.FirstName, LastName: c.LastName, BirthDate: c.BirthDate,
			Level: c.Level, ArriveAt: c.ArriveAt, DepartAt: c.DepartAt, ParentName: c.ParentName, ParentPhone: c.ParentPhone,
			Pickups: c.Pickups, HealthNote: c.HealthNote, ProofToCheck: c.ProofToCheck, Status: c.Status})
	}
	return sh
}

// Day yields the sheet of every hub open on day within sc, one at a time (for WriteZIP and
// WriteMergedPDF, which keep memory bounded by pulling them as they go), in lang ([Sheet.Lang]).
func Day(ctx context.Context, st *store.Store, sc store.Scope, day, printedAt time.Time, lang string) iter.Seq2[Sheet, error] {
	return func(yield func(Sheet, error) bool) {
		ids, err := st.OpenHubsInScope(ctx, sc, day)
		if err != nil {
			yield(Sheet{}, err)
			return
		}
		for _, id := range ids {
			d, err := st.Sheet(ctx, sc, id, day)
			sh := FromStore(d, printedAt)
			sh.Lang = lang
			if !yield(sh, err) || err != nil {
				return
			}
		}
	}
}
