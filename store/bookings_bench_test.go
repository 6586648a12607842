package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/demo"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// BenchmarkBookDemo books one child for one day of the demo académie's second week, one
// household after another: the latency of a booking without contention.
func BenchmarkBookDemo(b *testing.B) {
	today := time.Date(2031, 3, 3, 0, 0, 0, 0, time.UTC)
	seed, _ := demo.Generate(2021, today)
	ctx := context.Background()
	st := pgtest.NewStore(b).WithClock(func() time.Time { return today.AddDate(0, 0, -2) })
	if err := st.LoadSeed(ctx, seed); err != nil {
		b.Fatal(err)
	}
	p := store.DefaultAllocationPolicy()
	var hh []struct {
		Acc int64 `db:"account_id"`
		Kid int64 `db:"kid"`
	}
	if err := st.DB().Select(&hh, `SELECT h.account_id, min(c.id) AS kid FROM household h JOIN child c ON c.household_id = h.id GROUP BY 1 ORDER BY 1`); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h := hh[i%len(hh)]
		day := seed.OpenDays[5+(i/len(hh))%5]
		if _, _, err := st.Book(ctx, p, h.Acc, fmt.Sprintf("bench-%08d", i), []byte("x"), store.BookingInput{ChildIDs: []int64{h.Kid}, Days: []time.Time{day}, Location: store.NearHome, ArriveAt: "08:00", DepartAt: "17:00"}); err != nil {
			b.Fatal(err)
		}
	}
}
