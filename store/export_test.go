package store

import (
	"context"
	"strings"
)

// ExplainOnBookerConnection returns PostgreSQL's plans, on a connection set up as the Booker's
// own (see ownConn), of the booking batch's read and write statements with these arguments.
func (s *Store) ExplainOnBookerConnection(ctx context.Context, readArgs, writeArgs []any) (read, write string, err error) {
	own, err := s.withOwnConnection(ctx)
	if err != nil {
		return "", "", err
	}
	defer own.closeOwnConnection()
	explain := func(query string, args []any) (string, error) {
		var lines []string
		if err := own.q.(*ownConn).SelectContext(ctx, &lines, "EXPLAIN "+query, args...); err != nil {
			return "", err
		}
		return strings.Join(lines, "\n"), nil
	}
	if read, err = explain(readBatchSQL, readArgs); err != nil {
		return "", "", err
	}
	write, err = explain(bookAtOnceSQL, writeArgs)
	return read, write, err
}
