package store_test

import (
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/lib/pq"

	"github.com/accueil-prioritaire/accueil/store"
)

func TestUnavailableTellsAnOutageFromAnError(t *testing.T) {
	_, dialErr := net.Dial("tcp", "127.0.0.1:1") // nothing listens there
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&pq.Error{Code: "57P03"}, true}, // the database system is starting up
		{&pq.Error{Code: "57P01"}, true}, // terminating connection due to administrator command
		{&pq.Error{Code: "08006"}, true}, // connection failure
		{&pq.Error{Code: "53300"}, true}, // too many connections
		{fmt.Errorf("booking batch: %w", dialErr), true},
		{&pq.Error{Code: "23505"}, false}, // unique violation: the caller's
		{&pq.Error{Code: "40001"}, false}, // serialization failure: retried by Transact
		{store.ErrNotFound, false},
		{errors.New("template: no such page"), false},
	} {
		if got := errors.Is(store.Unavailable(tc.err), store.ErrUnavailable); got != tc.want {
			t.Errorf("Unavailable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
