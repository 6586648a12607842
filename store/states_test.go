package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

func enumValues(t *testing.T, st *store.Store, enum string) []string {
	t.Helper()
	var values []string
	if err := st.DB().Select(&values, `SELECT unnest(enum_range(NULL::`+enum+`))::text`); err != nil {
		t.Fatal(err)
	}
	return values
}

func asStrings[S ~string](xs []S) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// Each state type lists the values of its SQL enum, in its order; the unused kind 'late' is gone.
func TestStatesMatchTheSchema(t *testing.T) {
	st := pgtest.NewStore(t)
	for enum, goValues := range map[string][]string{
		"placement_status": asStrings(store.PlacementStatuses),
		"request_status":   asStrings(store.RequestStatuses),
		"allocation_kind":  asStrings(store.AllocationKinds),
	} {
		if sqlValues := enumValues(t, st, enum); !slices.Equal(sqlValues, goValues) {
			t.Errorf("%s: SQL %v, Go %v", enum, sqlValues, goValues)
		}
	}
	if slices.Contains(enumValues(t, st, "allocation_kind"), "late") {
		t.Error("allocation_kind still has 'late'")
	}
}

// request_status() in SQL and requestStatusOf in Go tell every combination the same way.
func TestRequestStatusSameInSQLAndGo(t *testing.T) {
	st := pgtest.NewStore(t)
	ctx := context.Background()
	for _, cancelled := range []bool{false, true} {
		for _, seat := range append([]store.PlacementStatus{""}, store.PlacementStatuses...) {
			for _, waitlisted := range []bool{false, true} {
				var inSQL store.RequestStatus
				if err := st.DB().GetContext(ctx, &inSQL, `
					SELECT request_status(CASE WHEN $1 THEN now() END, NULLIF($2, '')::placement_status, $3)`,
					cancelled, string(seat), waitlisted); err != nil {
					t.Fatal(err)
				}
				if inGo := store.RequestStatusOf(cancelled, seat, waitlisted); inSQL != inGo {
					t.Errorf("cancelled %v, seat %q, waitlisted %v: SQL %q, Go %q", cancelled, seat, waitlisted, inSQL, inGo)
				}
			}
		}
	}
	// Inlined into the query that calls it, not called row by row.
	var plan []string
	if err := st.DB().SelectContext(ctx, &plan, `EXPLAIN (VERBOSE) SELECT request_status(b.cancelled_at, p.status, false)
		FROM booking_request b LEFT JOIN placement p ON p.child_id = b.child_id AND p.day = b.day`); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.Join(plan, "\n"), "request_status(") {
		t.Errorf("request_status() is not inlined:\n%s", strings.Join(plan, "\n"))
	}
	if got := store.RequestStatusOf(false, store.Proposed, false); got != store.RequestProposed {
		t.Errorf("a proposed seat: %q", got)
	}
	if got := store.RequestStatusOf(false, "", true); got != store.RequestWaitlisted {
		t.Errorf("waitlisted: %q", got)
	}
}
