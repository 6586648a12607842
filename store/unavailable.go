package store

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/lib/pq"
)

// ErrUnavailable is the database out of reach: down, restarting, refusing connections, or the
// connection lost in the middle of a statement. A write either committed before (a retried
// idempotency key replays it) or did not happen: the caller may try again in a few seconds.
var ErrUnavailable error = &overloadError{"database unavailable", 5 * time.Second, 0}

// Unavailable returns err wrapped in ErrUnavailable when it says the database cannot be
// reached, and err as it is otherwise.
func Unavailable(err error) error {
	if err == nil || errors.Is(err, ErrUnavailable) || !unreachable(err) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

func unreachable(err error) bool {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		switch pqErr.Code.Class() {
		case "08", // connection exception
			"57", // operator intervention: shutting down, starting up, not yet accepting connections
			"53": // insufficient resources: too many connections, out of memory or disk
			return true
		}
		return false
	}
	var netErr *net.OpError
	return errors.As(err, &netErr) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ENOENT) // the unix socket is gone while the server is down
}
