package alloc

// ResultFormat identifies the JSON result format described in the package documentation.
const ResultFormat = "accueil-prioritaire/alloc-result/v1"

// Result is the outcome of a run: every requested child-day is either in Placements or in Waitlist,
// exactly once.
type Result struct {
	Format string `json:"format"`
	// Placements are sorted by day, hub and child; they include the fixed placements, marked Fixed.
	Placements []Placement `json:"placements"`
	// Waitlist is sorted by day and rank.
	Waitlist []WaitlistEntry `json:"waitlist"`
	Report   Report          `json:"report"`
}

// Placement is a seat for a child on a day.
type Placement struct {
	ChildID    int64   `json:"child_id"`
	Day        Day     `json:"day"`
	HubID      int64   `json:"hub_id"`
	DistanceKm float64 `json:"distance_km"`
	// Fixed marks a placement given before the run and kept as it was.
	Fixed bool `json:"fixed,omitempty"`
}

// WaitlistEntry is a child-day the run could not place, with the reason in French and English.
type WaitlistEntry struct {
	ChildID int64 `json:"child_id"`
	Day     Day   `json:"day"`
	// Rank is the child's position in the day's waitlist, in priority order, from 1. Brothers and
	// sisters kept together share a rank: a freed seat is offered to the whole sibling group.
	Rank      int    `json:"rank"`
	Reason    Reason `json:"reason"`
	MessageFR string `json:"message_fr"`
	MessageEN string `json:"message_en"`
	// NearestFullHubID, with ReasonHubsFull and ReasonHigherPriority, is the nearest hub in reach
	// that hosts the child's level that day and is full; the messages name it.
	NearestFullHubID int64 `json:"nearest_full_hub_id,omitempty"`
}

// Report sums up a run. Distances are haversine kilometres from the request's location to the hub.
type Report struct {
	Seed   uint64 `json:"seed"`
	Passes int    `json:"passes"`
	// DurationMS is the wall time of Solve; it is the only field that differs between two runs of
	// the same problem.
	DurationMS float64 `json:"duration_ms"`

	Hubs               int `json:"hubs"`
	Children           int `json:"children"`
	ChildDaysRequested int `json:"child_days_requested"`
	ChildDaysPlaced    int `json:"child_days_placed"` // including fixed placements
	ChildDaysFixed     int `json:"child_days_fixed"`
	ChildDaysWaitlist  int `json:"child_days_waitlisted"`
	// ChildrenFullyPlaced have a seat on every day they asked for.
	ChildrenFullyPlaced int `json:"children_fully_placed"`
	// ChildrenWaitlisted have at least one waitlisted day.
	ChildrenWaitlisted int `json:"children_waitlisted"`

	// The distance figures cover the placements made by this run (not the fixed ones), which is
	// what the lower bound is about.
	TotalDistanceKm float64 `json:"total_distance_km"`
	MeanDistanceKm  float64 `json:"mean_distance_km"`
	P95DistanceKm   float64 `json:"p95_distance_km"`
	MaxDistanceKm   float64 `json:"max_distance_km"`
	// LowerBoundKm is a lower bound on the total distance of any placement of the same child-days:
	// per day and level, a min-cost flow that ignores siblings and the same-hub rule.
	LowerBoundKm float64 `json:"lower_bound_km"`
	// GapPercent is (TotalDistanceKm − LowerBoundKm) / LowerBoundKm × 100.
	GapPercent float64 `json:"gap_percent"`

	// ChildrenMultiHub is the number of children placed in more than one hub over the days of the run.
	ChildrenMultiHub int `json:"children_multi_hub"`
	// SiblingSplits counts, for households that did not allow a split, the family groups of a day
	// (brothers and sisters in maternelle and élémentaire, or in collège; for an all-or-none
	// household all its children) whose placed children are in more than one hub: a family group
	// no hub could take together, or one whose fixed brother or sister's hub was full.
	SiblingSplits int `json:"sibling_splits"`
	// SplitsAllowed counts the same groups split between hubs with the household's consent.
	SplitsAllowed int `json:"splits_allowed"`

	// ChildDaysPlaceableMax is the most child-days any placement obeying the rules could place,
	// by a maximum flow per day and level (see maxPlaceable). It is exact unless some household
	// chose all-or-none, whose units it relaxes: then it is an upper bound.
	ChildDaysPlaceableMax int `json:"child_days_placeable_max"`
	// PlacedOfMaxPercent is ChildDaysPlaced / ChildDaysPlaceableMax × 100.
	PlacedOfMaxPercent float64 `json:"placed_of_max_percent"`
	// WaitingWithFreeSeat counts waitlisted child-days for which some hub in reach, hosting the
	// child's level that day, still has a free seat. Only children of all-or-none households can
	// wait so (WaitingWithFreeSeatAllOrNone counts them); for anyone else it would break the
	// priority rule, so the rest must be 0.
	WaitingWithFreeSeat          int `json:"waiting_with_free_seat"`
	WaitingWithFreeSeatAllOrNone int `json:"waiting_with_free_seat_all_or_none"`
	// PriorityInversions and Violations come from Check on the result; both must be 0.
	PriorityInversions int `json:"priority_inversions"`
	Violations         int `json:"violations"`

	// TiersFullyServed is how many tiers, from tier 1 down, had every child-day placed.
	TiersFullyServed int            `json:"tiers_fully_served"`
	Tiers            []TierReport   `json:"tiers"`
	WaitlistReasons  map[Reason]int `json:"waitlist_reasons"`
}

// TierReport counts the child-days of one priority tier.
type TierReport struct {
	Tier               int `json:"tier"`
	ChildDaysRequested int `json:"child_days_requested"`
	ChildDaysPlaced    int `json:"child_days_placed"`
	ChildDaysWaitlist  int `json:"child_days_waitlisted"`
}
