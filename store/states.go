package store

// The states of placements and requests, each one Go type mapped onto one SQL enum of the same
// values (migrations 0001 and 0017); TestStatesMatchTheSchema checks that both list the same.

// PlacementStatus tells whether a seat is proposed (may still go to a higher-priority child
// before the day's cutoff) or confirmed (what the attendance sheet shows). SQL: placement_status.
type PlacementStatus string

// The statuses.
const (
	Proposed  PlacementStatus = "proposed"
	Confirmed PlacementStatus = "confirmed"
)

// RequestStatus is where a child's request for a day stands, as its family is told. It is not
// stored: it follows from the request, its seat and its waitlist entry (requestStatusOf, and
// request_status() in SQL). SQL: request_status.
type RequestStatus string

// The states of a request: asked and not answered yet; given a seat, proposed or confirmed
// (the seat's PlacementStatus); on the waitlist; cancelled by the family.
const (
	RequestPending    RequestStatus = "pending"
	RequestProposed   RequestStatus = RequestStatus(Proposed)
	RequestConfirmed  RequestStatus = RequestStatus(Confirmed)
	RequestWaitlisted RequestStatus = "waitlisted"
	RequestCancelled  RequestStatus = "cancelled"
)

// The values of each type, in the order of its SQL enum.
var (
	PlacementStatuses = []PlacementStatus{Proposed, Confirmed}
	RequestStatuses   = []RequestStatus{RequestPending, RequestProposed, RequestConfirmed, RequestWaitlisted, RequestCancelled}
	AllocationKinds   = []AllocationKind{KindInstant, KindConfirmation, KindPromotion, KindReplacement, KindManual, KindRebalance}
)

// requestStatusOf is a request's status from whether it was cancelled, its seat's status (""
// without a seat) and whether it waits on the waitlist: request_status() in SQL.
func requestStatusOf(cancelled bool, seat PlacementStatus, waitlisted bool) RequestStatus {
	switch {
	case cancelled:
		return RequestCancelled
	case seat != "":
		return RequestStatus(seat)
	case waitlisted:
		return RequestWaitlisted
	}
	return RequestPending
}

// Request is the status of a request given a seat of status p.
func (p PlacementStatus) Request() RequestStatus { return requestStatusOf(false, p, false) }
