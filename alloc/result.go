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
	// HubChangeCostKm is what rule 3 charges for hub changes: Params.HubChangeKm for every placed
	// day (fixed ones included) a child spends away from the hub of most of its placed days.
	// ObjectiveKm = TotalDistanceKm + HubChangeCostKm is the weekly objective the allocator
	// pursues once the stronger rules hold.
	HubChangeCostKm float64 `json:"hub_change_cost_km"`
	ObjectiveKm     float64 `json:"objective_km"`
	// WeekBoundKm is a lower bound on ObjectiveKm for any placement of the same child-days that
	// keeps together the brothers and sisters this run kept together: unlike the bounds below it
	// keeps the same-hub-all-week rule, as the objective weighs it (a Lagrangian bound of the
	// whole week, see weekBound; never below SiblingBoundKm, which bounds the objective too).
	// WeekGapPercent is (ObjectiveKm − WeekBoundKm) / WeekBoundKm × 100: at most this much of the
	// objective could any such placement save. Like the bounds below, only with the figures.
	WeekBoundKm    float64 `json:"week_bound_km"`
	WeekGapPercent float64 `json:"week_gap_percent"`
	// The bounds and their gaps are about TotalDistanceKm alone (not HubChangeKm), over the same
	// child-days as this run placed (not the fixed ones), and they drop the same-hub-all-week rule:
	// every other rule holds, day by day.
	//
	// LowerBoundKm takes the children of family groups one by one and relaxes all-or-none units
	// to "each sibling in a hub that could host them all": per day and level, an exact min-cost
	// flow. GapPercent is (TotalDistanceKm − LowerBoundKm) / LowerBoundKm × 100. Like the bounds
	// above and below, only with the figures (both 0 with Params.NoFigures).
	LowerBoundKm float64 `json:"lower_bound_km"`
	GapPercent   float64 `json:"gap_percent"`
	// SiblingBoundKm keeps together the brothers and sisters this run kept together (all-or-none
	// units, and family groups it placed whole in one hub): per day, a Lagrangian bound of the
	// assignment of the units to hubs under the seats (see siblingBound), close to the linear
	// relaxation's value. SiblingGapPercent is (TotalDistanceKm − SiblingBoundKm) /
	// SiblingBoundKm × 100: at most this much could any placement of these child-days that keeps
	// the same siblings together save, day by day.
	SiblingBoundKm    float64 `json:"sibling_bound_km"`
	SiblingGapPercent float64 `json:"sibling_gap_percent"`
	// WithoutSiblingsKm is the least distance of the same child-days, day by day, with every child
	// free to take any hub in its own reach (exact, per day and level). SiblingsCostKm is
	// SiblingBoundKm − WithoutSiblingsKm (0 if negative): keeping those brothers and sisters
	// together costs at least this much, day by day, whatever the placement.
	WithoutSiblingsKm float64 `json:"without_siblings_km"`
	SiblingsCostKm    float64 `json:"siblings_cost_km"`
	// PerDayDistanceKm is the distance of one placement pass of the same problem without the
	// same-hub rule (no usual hub, no HubChangeKm): the allocator's own placement day by day, with
	// PerDayChildDaysPlaced child-days placed (fixed ones included) and PerDayChildrenMultiHub
	// children in more than one hub. OneHubWeekKm is TotalDistanceKm − PerDayDistanceKm: what
	// this run spends in km to keep children in one hub all week (it compares two runs of the
	// allocator, so it can be negative when the final phase shortens trips the per-day pass
	// left long).
	PerDayDistanceKm       float64 `json:"per_day_distance_km"`
	PerDayChildDaysPlaced  int     `json:"per_day_child_days_placed"`
	PerDayChildrenMultiHub int     `json:"per_day_children_multi_hub"`
	OneHubWeekKm           float64 `json:"one_hub_week_km"`

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
