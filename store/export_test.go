package store

import (
	"context"
	"strings"
)

// The statements run on the connections the Booker and the SessionLoader keep (see ownConn).
var (
	ReadBatchSQL        = readBatchSQL
	BookAtOnceSQL       = bookAtOnceSQL
	SessionsByTokensSQL = sessionsByTokensSQL
)

// WaitPreparations returns once the statements being prepared in the background are, and their
// pool connections back: a test counting connections in use counts none of theirs.
func (s *Store) WaitPreparations() { s.stmts.preparing.Wait() }

// ExplainNamedOnOwnConnection is ExplainOnOwnConnection for a statement with named parameters.
func (s *Store) ExplainNamedOnOwnConnection(ctx context.Context, query namedSQL, args map[string]any) (string, error) {
	list, err := query.args(args)
	if err != nil {
		return "", err
	}
	return s.ExplainOnOwnConnection(ctx, query.text, list...)
}

// ExplainOnOwnConnection returns PostgreSQL's plan of query with args on a connection set up
// as the Booker's and the SessionLoader's (see ownConn).
func (s *Store) ExplainOnOwnConnection(ctx context.Context, query string, args ...any) (string, error) {
	own, err := s.withOwnConnection(ctx)
	if err != nil {
		return "", err
	}
	defer own.closeOwnConnection()
	var lines []string
	if err := own.q.(*ownConn).SelectContext(ctx, &lines, "EXPLAIN "+query, args...); err != nil {
		return "", err
	}
	return strings.Join(lines, "\n"), nil
}

// BreakNextBatch makes the Booker's next batch panic before it reaches the database; the
// batches after it run as usual.
func (b *Booker) BreakNextBatch() {
	do := b.calls.do
	b.calls.do = func(batch []*waitingCall) {
		b.calls.do = do
		panic("broken on purpose")
	}
}

// RequestStatusOf is requestStatusOf, compared with request_status() in SQL.
var RequestStatusOf = requestStatusOf

// MergeFamilyEmailsForTest is the body of the one e-mail the outbox sends for two of a family's.
func MergeFamilyEmailsForTest(a, b string) string {
	return mergeEmails(Email{Body: a}, Email{Body: b}).Body
}

// ObserveWrites calls f with the kind of each run the pipeline's writer stores, on s and the
// transactions it starts (an e-mail alone has the kind "").
func (s *Store) ObserveWrites(f func(AllocationKind)) { s.observeWrite = f }

// GroupedKinds are the kinds of e-mail a family receives as one message (see groupedKinds).
var GroupedKinds = groupedKinds
