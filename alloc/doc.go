// Package alloc places children of priority workers in school hubs. It is pure Go: a Problem in,
// a Result out, no database and no network.
//
// # Rules
//
// Solve applies these rules, strongest first:
//
//  1. Hard constraints. A hub takes at most its seats per day and level; it must host the child's
//     level on that day; it must lie within Params.MaxDistanceKm (haversine) of the request's
//     location; fixed placements stay where they are and use their seats; and the children of a
//     household that chose all-or-none (Request.AllOrNone), booked on the same day, are either all
//     placed in one hub or all waitlisted (when a brother or sister already has a fixed seat that
//     day, the others join that hub or wait).
//  2. No priority inversion. No child is waitlisted on a day while a seat it could take went to a
//     child of a lower tier, or of the same tier who asked later, unless that seat was fixed before
//     the run. Siblings compete with the best tier and earliest request of their unit (see
//     Families); an all-or-none unit competes as one, and a seat "it could take" means seats for
//     all of them in one hub. Check states the rule exactly and verifies it.
//  3. Then brothers and sisters together where a hub can take them, fewest children with more than
//     one hub in the week, and least total distance. The last two are traded through
//     Params.HubChangeKm: a day spent away from the child's usual hub costs as much as that many
//     kilometres (default 20, the default reach): the objective is the distance plus HubChangeKm
//     for every placed day a child spends away from its usual hub, the hub of most of its days
//     (Report.ObjectiveKm). This rule is pursued, not guaranteed: the report gives the family
//     groups split between hubs (SiblingSplits), the children with more than one hub, and the gaps
//     to lower bounds on the distance and on the objective.
//
// Children of equal tier and request time are ordered by a draw from Params.Seed, which the report
// records: the same problem and seed give the same result, whatever the order of the input lists.
//
// # Families
//
// Each day, the children of a household who booked it and have no fixed seat form units
// (dayUnits, the one place that builds them):
//
//   - a household that allowed a split (Request.AllowSplit): each child alone;
//   - a household that chose all-or-none: one strict unit of all its children;
//   - any other household, the default: one family group per class of levels that can share a
//     hub, maternelle and élémentaire together, collège apart. A family group is first offered
//     one hub for all its members (the hub of a fixed brother or sister of its class, if any);
//     when no hub can take it, each member is placed on its own as a child alone. So a child who
//     cannot be placed never keeps a brother or sister from a seat. A group of one child without
//     fixed siblings is a child alone.
//
// A unit's priority is the best (tier, request time) among its members, and every member has it.
//
// The no-inversion rule for these units, as Check verifies it: a claimant is a wholly waitlisted
// strict unit, or a waitlisted member of any other unit on its own, with its unit's priority. No
// claimant U may find a hub H, open that day, hosting each member's level, within reach of each
// member (and, for a strict unit, among its fixed siblings' hubs if any), with for each level at
// least as many seats as U needs among those that are free or held by non-fixed children of
// strictly lower priority than U.
//
// Proof that Solve's placement obeys it. Take a day and level; units are processed in priority
// order. Let U be a claimant that is not strict: U was refused when inserted alone in its level's
// network, so no augmenting path led from U to a free seat. Let R be the hubs reachable from U in
// the residual network then: U's candidate hubs, the candidate hubs of the children alone placed
// in them, and so on. Every hub of R was full, with children of units processed before U (so of
// priority not lower than U's), seats given to such units' groups, or fixed seats. Later steps
// leave R as it is: a later child's augmenting path that entered R could only continue inside R,
// which is closed under the moves such a path makes, and would find no free seat there; a later
// group frees a seat in its hub h only by such a path, so h is not in R; nothing is ever unplaced.
// So at the end of the pass every hub U could use is full of fixed children or non-fixed ones of
// priority not lower than U: no inversion. For a strict claimant U, placeGroup refused it: no hub
// it could use offered, for each level, the seats U needs among free seats and seats that moving
// earlier children alone could free; per level, the same closure argument shows that no later
// step makes such room. Consolidation then moves a child alone only to a free seat among its own
// candidate hubs, so never out of a set R (whose hubs stay full), and improve moves whole movers
// without raising, for any claimant, the seats it could claim (see improve); so the kept pass
// obeys the rule too.
//
// What the report measures of it: a child not of an all-or-none household waits only when every
// hub in its reach hosting its level that day is full (Report.WaitingWithFreeSeat counts the
// exceptions, which must all be of all-or-none households); and the child-days placed are
// compared with the most that any placement could place (Report.ChildDaysPlaceableMax, a maximum
// flow per day and level: exact when no household chose all-or-none, since the other children may
// all be placed apart; otherwise an upper bound, relaxing "one hub for the strict unit" to "each
// member in a hub that could host the whole unit"). Family groups placed together are not moved
// by later units, so a few child-days that a rearrangement could place may wait: on the generated
// académie weeks, scarce or not, 98.7 % to 99.8 % of the maximum is placed.
//
// # Algorithm
//
// Each day, units (see Families) are taken in priority order. A child
// alone is inserted in the minimum-cost flow network of its level (successive shortest paths,
// Dijkstra's algorithm with potentials): it may move children placed before it to other hubs but
// never unplace them, and it is refused only when no such move makes room. A sibling group takes
// seats in one hub, freed the same way when needed, and is not moved afterwards; a family group
// that gets none is then inserted child by child, as children alone. Later units only
// take seats, so a refused unit still finds no room at the end among seats that are free or held
// by lower-priority children: that is rule 2 (for children alone, the placed set is the greedy
// basis of a transversal matroid). Each day's assignment of the children alone has minimum cost
// given the groups, the cost being the distance plus HubChangeKm for a hub other than the child's
// usual one. Usual hubs come first from a placement of whole weeks by the same algorithm (each
// child needs one seat in a hub it can use on all its days, each hub offering its fewest free
// seats over the week; then each unit moves to the nearest hub with room on its actual days), and
// later from where the previous pass placed each child; the best of Params.Passes passes is kept.
// On problems of polish's size (below), one more pass takes its usual hubs from the week's seat
// prices instead (pricedPass): the best prices of the week bound's search (see Bounds), where
// each child's usual hub is the one the relaxed week chooses for it once every seat is priced by
// the competition for it. It is kept when it places more child-days, tier by tier, or as many for
// a lower objective; being a pass like the others, it keeps the rules.
// Finally, whole movers (a child alone, or siblings kept together, with all the days of their week)
// move to nearer hubs, to free seats or by swapping hubs with another mover, never giving a child a
// second hub and never leaving a seat that a waitlisted unit could claim (see improve): this is
// the second chance of sibling groups, which the daily flows never move. Then the children who
// still change hub during the week, with the siblings kept with them, move on the days a hub has
// room to the hub that costs them least over the week, or swap a day with a child of the same
// level who is away from its own usual hub, under the same conditions (see relocate), and improve
// runs once more on what that made movable. On problems of 1,000 to 60,000 child-days (an
// académie's week, not a booking batch nor a national week), polish then makes the moves through
// full hubs that those phases lack, in rounds while the objective falls: each day's children
// alone are assigned again at least cost and each sibling group kept together is offered the
// hubs it could use with room made by moving children alone along shortest augmenting paths
// (reflow); whole weeks of a child alone or of siblings kept together move the same way
// (moveWeeks); movers move in ejection chains (chains); and around each child still spending days
// away, the children of its nearest hub are taken out with it and put back one after the other at
// least cost, in several orders (recreate). None raises the objective, and each moves only
// children who may leave their hub (as improve), so the rules hold.
// Candidate hubs are found with a latitude-longitude grid; every hub within the maximum distance
// is a candidate, since leaving one out could let a lower-priority child take a seat the rule
// owes to a higher one. Days, and the lower bound's networks, are solved in parallel.
//
// # Bounds and what the rules cost
//
// The report measures the run's distance (TotalDistanceKm: the placements it made, not the fixed
// ones; HubChangeKm is not part of it) against lower bounds over the same placed child-days, day
// by day, without the same-hub rule (which ties days together). "Kept together" below means the
// all-or-none units and the family groups that the run placed whole in one hub; the members of a
// family group the run placed apart, or not all, are taken one by one, as the rules allow.
//
//   - LowerBoundKm: per day and level, the exact minimum-cost assignment with every family group
//     relaxed to each child on its own and each all-or-none unit to "each sibling in a hub that
//     could host them all" (GapPercent).
//   - SiblingBoundKm keeps together what the run kept together: per day, the units (from
//     dayUnits, like the solver's) are assigned to hubs under the seats, each kept-together unit
//     whole in one hub that could host it all, and the bound is the Lagrangian relaxation of the
//     seats (a price per seat of each hub and level, every unit at its cheapest hub at those
//     prices, improved by subgradient steps from the relaxed bound's optimal prices; any prices
//     give a bound, and the best one met is kept, never below the relaxed bound). It approaches
//     the linear relaxation of the day's assignment (SiblingGapPercent). No placement of the same
//     child-days that keeps the same brothers and sisters together can be shorter.
//   - WithoutSiblingsKm: the exact least distance if every child could take any hub in its own
//     reach. SiblingsCostKm = SiblingBoundKm − WithoutSiblingsKm is at least what keeping those
//     brothers and sisters together costs any placement of these child-days, day by day.
//   - PerDayDistanceKm: one placement pass of the same problem without usual hubs and without
//     HubChangeKm, the allocator's own day-by-day placement; OneHubWeekKm = TotalDistanceKm −
//     PerDayDistanceKm is what the run spends in km to keep children in one hub all week, and
//     PerDayChildrenMultiHub how many children would have had more than one hub without it.
//
// So TotalDistanceKm = SiblingBoundKm + OneHubWeekKm + (PerDayDistanceKm − SiblingBoundKm): the
// last term is the day-by-day placement's distance to the bound, the allocator's own slack plus
// the bound's (the linear relaxation is below the exact optimum of the day).
//
// The objective itself, distance plus hub changes (ObjectiveKm), has a bound of its own that keeps
// the same-hub-all-week rule as the objective weighs it:
//
//   - WeekBoundKm: a Lagrangian relaxation of the seats of every hub, day and level over the whole
//     week (weekBound). What is left falls apart into pieces, the children linked by the units
//     kept together on some day, each choosing a usual hub per child and a hub per unit and day;
//     a piece's least cost at given prices is found by trying every partition of its children
//     into classes sharing a usual hub (up to five children; a weaker bound beyond), which is
//     exact when no unit mixes classes and a bound otherwise. No placement of the same child-days
//     keeping the same siblings together has a lower objective (WeekGapPercent). The tests check
//     it against optima found by enumeration on small weeks, where it meets the optimum nine times
//     in ten.
//
// # Problem files
//
// ReadProblem reads, and WriteProblem writes, a problem as one JSON object. Unknown fields are
// errors. Dates are "YYYY-MM-DD"; times are RFC 3339 ("2021-04-09T21:14:00+02:00"); identifiers
// are positive integers (the database IDs, or any numbering that is unique within the file);
// positions are WGS84 degrees. Levels are "maternelle", "elementaire" and "college".
//
//	{
//	  "format": "accueil-prioritaire/alloc-problem/v1",   optional; if present, exactly this
//	  "description": "Semaine du 12 avril 2021",          optional, free text
//	  "params": {                                          optional, and so is each field
//	    "max_distance_km": 20,   hub at most this far from the request's location (default 20)
//	    "hub_change_km": 20,     weight of "same hub all week", in km per day away (default 20)
//	    "passes": 2,             placement passes, 1 to 20 (default 2)
//	    "seed": 42,              tie-break draw; 0 is a valid seed (default 0)
//	    "no_figures": false      true: skip every bound and what the rules cost (default false)
//	  },
//	  "hubs": [                                            one object per hub
//	    {
//	      "id": 1001,                                      required, unique
//	      "name": "École Jean Macé, Besançon",             optional
//	      "location": {"lat": 47.2380, "lon": 6.0240},     required
//	      "days": [                                        the days the hub is open
//	        {"day": "2021-04-12", "seats": {"maternelle": 10, "elementaire": 30}},
//	        {"day": "2021-04-13", "seats": {"maternelle": 10, "elementaire": 15}}
//	      ]
//	    }
//	  ],
//	  "requests": [                                        one object per child (or per booking)
//	    {
//	      "child_id": 1,                                   required
//	      "household_id": 1,                               required; siblings share it
//	      "level": "elementaire",                          required
//	      "days": ["2021-04-12", "2021-04-13"],            required, at least one
//	      "location": {"lat": 47.2467, "lon": 6.0301},     required: home or work, chosen by the family
//	      "tier": 1,                                       required: 1 (highest), 2, 3…
//	      "requested_at": "2021-04-09T21:14:00+02:00",     optional; earlier comes first within a tier
//	      "allow_split": false,                            optional; a household setting, the same
//	                                                       on all requests of the household
//	      "all_or_none": false                             optional; a household setting like
//	                                                       allow_split, not both true: the
//	                                                       children all in one hub, or none
//	    }
//	  ],
//	  "fixed": [                                           optional: seats given before the run
//	    {"child_id": 1, "day": "2021-04-12", "hub_id": 1001}
//	  ]
//	}
//
// A hub hosts a level on a day when that day is listed and its "seats" give the level a positive
// number; a level that is missing or has 0 seats is not hosted that day. A child may appear in
// several requests (days booked at different times or from different places) as long as their
// days do not overlap and they agree on household and level. A fixed placement must be for a day
// its child requested, in a hub that hosts the child's level that day, and the fixed placements of
// a hub, day and level may not exceed its seats. The run covers every day that some request asks
// for (at most 512 days).
//
// Validate (called by ReadProblem and Solve) returns one *FieldError per problem found, joined,
// each naming its field, such as "hubs[3].days[0].seats.maternelle : capacité négative (-2)
// (negative capacity)" or "fixed[0].hub_id : pôle 99 inconnu (unknown hub)".
//
// # Result files
//
// WriteResult writes, and ReadResult reads:
//
//	{
//	  "format": "accueil-prioritaire/alloc-result/v1",
//	  "placements": [      every placed child-day, by day, hub and child
//	    {"child_id": 1, "day": "2021-04-12", "hub_id": 1001, "distance_km": 1.042, "fixed": true}
//	  ],
//	  "waitlist": [        every other requested child-day, by day and rank
//	    {"child_id": 7, "day": "2021-04-12", "rank": 1, "reason": "higher_priority",
//	     "message_fr": "Les pôles à moins de 20 km sont complets …", "message_en": "The hubs within 20 km are full …",
//	     "nearest_full_hub_id": 1001}     with hubs_full and higher_priority: the nearest full hub
//	  ],
//	  "report": { … }      the fields of Report, in snake_case
//	}
//
// Distances are kilometres rounded to the metre. The reasons are the Reason constants.
//
// Files written before all_or_none existed stay readable and mean what they say today: a household
// without allow_split has its children in family groups, kept together where a hub can take them;
// the former "all in one hub or all waitlisted" is now all_or_none, the family's explicit choice.
package alloc
