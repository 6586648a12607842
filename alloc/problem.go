package alloc

import (
	"time"

	"github.com/accueil-prioritaire/accueil/geo"
)

// ProblemFormat identifies the JSON problem format described in the package documentation.
const ProblemFormat = "accueil-prioritaire/alloc-problem/v1"

// Defaults applied by Solve when a Params field is zero.
const (
	DefaultMaxDistanceKm = 20.0
	DefaultHubChangeKm   = 20.0
	DefaultPasses        = 2
)

// Problem is everything one allocation run needs: the hubs, the children's requests, the placements
// that must not move, and the run's parameters. Solve never modifies it.
type Problem struct {
	// Format is optional; when set it must equal ProblemFormat.
	Format      string `json:"format,omitempty"`
	Description string `json:"description,omitempty"`

	Hubs     []Hub            `json:"hubs"`
	Requests []Request        `json:"requests"`
	Fixed    []FixedPlacement `json:"fixed,omitempty"`
	Params   Params           `json:"params"`
}

// Hub is a school hosting children. A hub is open on the days listed in Days, and on such a day it
// accepts a level when it has at least one seat of that level.
type Hub struct {
	ID       int64     `json:"id"`
	Name     string    `json:"name,omitempty"`
	Location geo.Point `json:"location"`
	Days     []HubDay  `json:"days"`
}

// HubDay is a hub's capacity on one open day: seats per level (groups × the group cap).
// A level that is absent or has 0 seats is not hosted that day.
type HubDay struct {
	Day   Day           `json:"day"`
	Seats map[Level]int `json:"seats"`
}

// Request is a child's booking: the days the child needs a seat and the place the family wants a
// hub near (home or work). A child may have several requests (days booked at different times or
// from different places) as long as their days do not overlap and they agree on household and level.
type Request struct {
	ChildID     int64     `json:"child_id"`
	HouseholdID int64     `json:"household_id"`
	Level       Level     `json:"level"`
	Days        []Day     `json:"days"`
	Location    geo.Point `json:"location"`
	// Tier is the priority tier of the household, 1 being the highest.
	Tier int `json:"tier"`
	// RequestedAt orders requests of one tier: earlier requests come first. Zero means "earliest".
	RequestedAt time.Time `json:"requested_at,omitzero"`
	// AllowSplit is the household's consent to host its children in different hubs on one day.
	// It is a household setting: all requests of a household must agree.
	AllowSplit bool `json:"allow_split,omitempty"`
	// AllOrNone is the household's explicit choice to have its children hosted on a day only if
	// all of them are, in one hub ("n'accueillir mes enfants que s'ils le sont tous"). It is a
	// household setting like AllowSplit, and the two may not both be set.
	AllOrNone bool `json:"all_or_none,omitempty"`
}

// FixedPlacement is a seat given before the run (a confirmed placement) that the run must keep.
// The child must have requested that day; the seat counts against the hub's capacity.
type FixedPlacement struct {
	ChildID int64 `json:"child_id"`
	Day     Day   `json:"day"`
	HubID   int64 `json:"hub_id"`
}

// Params tunes a run. Zero fields take the defaults above.
type Params struct {
	// MaxDistanceKm is the longest haversine distance between a request's location and its hub.
	MaxDistanceKm float64 `json:"max_distance_km,omitempty"`
	// HubChangeKm is the weight of the "same hub all week" rule: the distance, in km, the allocator
	// trades against one day a child spends away from its usual hub. Larger values favour one hub
	// a week more strongly over shorter trips.
	HubChangeKm float64 `json:"hub_change_km,omitempty"`
	// Passes is the number of placement passes: the first takes usual hubs from a placement of
	// whole weeks, each next one from where the previous pass put children; the best is kept.
	Passes int `json:"passes,omitempty"`
	// Seed orders children whose tier and request time are equal. The same problem and seed always
	// give the same result; Solve never picks a seed itself (see RandomSeed).
	Seed uint64 `json:"seed"`
	// NoFigures skips the report's figures beyond the run itself: every bound and its gap, the
	// distance without siblings and the day-by-day pass (their fields stay 0). They cost about as
	// much as the run again; a caller in a hurry may do without.
	NoFigures bool `json:"no_figures,omitempty"`
}

// withDefaults returns p with zero fields replaced by the defaults.
func (p Params) withDefaults() Params {
	if p.MaxDistanceKm == 0 {
		p.MaxDistanceKm = DefaultMaxDistanceKm
	}
	if p.HubChangeKm == 0 {
		p.HubChangeKm = DefaultHubChangeKm
	}
	if p.Passes == 0 {
		p.Passes = DefaultPasses
	}
	return p
}
