package alloc

import (
	"fmt"
	"strconv"
)

// Reason says why a child-day is on the waitlist. The codes are stable: store and show them.
type Reason string

// The waitlist reasons. Solve gives the first four; the last three were given by earlier versions
// (when a household's children were all placed in one hub or all waitlisted) and stay readable,
// since they are stored with waitlist entries.
const (
	// ReasonNoHubInReach: no hub open that day hosts the child's level within the maximum distance.
	ReasonNoHubInReach Reason = "no_hub_in_reach"
	// ReasonHubsFull: every hub in reach was already full before the run (confirmed placements).
	ReasonHubsFull Reason = "hubs_full"
	// ReasonHigherPriority: the hubs in reach are full, with children of a higher tier, or of the
	// same tier who asked earlier (or, at the same tier and time, who won the recorded draw).
	ReasonHigherPriority Reason = "higher_priority"
	// ReasonKeptWithSiblings: the household asked that its children be hosted only if all of them
	// are (all-or-none), and no hub in reach could take them all together that day, though this
	// child alone could have had a seat.
	ReasonKeptWithSiblings Reason = "kept_with_siblings"

	// ReasonSiblingHubFull: a brother or sister already has a fixed seat that day, in a hub that is
	// full or too far for this child.
	ReasonSiblingHubFull Reason = "sibling_hub_full"
	// ReasonNoCommonHub: no hub within reach of all the siblings booked that day hosts all their levels.
	ReasonNoCommonHub Reason = "no_common_hub"
	// ReasonNoRoomForSiblings: no hub in reach had enough seats left to host the siblings together;
	// the other seats went to children of higher or equal priority.
	ReasonNoRoomForSiblings Reason = "no_room_for_siblings"
)

// Messages returns the reason for parents, in French then English. maxKm is the run's maximum distance.
func (r Reason) Messages(maxKm float64) (french, english string) { return r.Explain(maxKm, "") }

// Explain returns the reason for parents, in French then English, naming nearestFull (the nearest
// full hub, see WaitlistEntry.NearestFullHubID) when it is not empty. maxKm is the run's maximum
// distance.
func (r Reason) Explain(maxKm float64, nearestFull string) (french, english string) {
	km := strconv.FormatFloat(maxKm, 'f', -1, 64)
	switch r {
	case ReasonNoHubInReach:
		return fmt.Sprintf("Aucun pôle ouvert ce jour-là n'accueille ce niveau à moins de %s km du lieu choisi (domicile ou travail).", km),
			fmt.Sprintf("No hub open that day hosts this level within %s km of the chosen place (home or work).", km)
	case ReasonHubsFull:
		if nearestFull != "" {
			return fmt.Sprintf("Les pôles à moins de %s km étaient déjà complets avant ce calcul ; le plus proche est %s.", km, nearestFull),
				fmt.Sprintf("The hubs within %s km were already full before this run; the nearest is %s.", km, nearestFull)
		}
		return fmt.Sprintf("Les pôles à moins de %s km étaient déjà complets avant ce calcul.", km),
			fmt.Sprintf("The hubs within %s km were already full before this run.", km)
	case ReasonHigherPriority:
		if nearestFull != "" {
			return fmt.Sprintf("Les pôles à moins de %s km sont complets, à commencer par le plus proche, %s : leurs places ont été données à des enfants plus prioritaires ou inscrits plus tôt.", km, nearestFull),
				fmt.Sprintf("The hubs within %s km are full, starting with the nearest, %s: their seats went to children with a higher priority or an earlier request.", km, nearestFull)
		}
		return fmt.Sprintf("Toutes les places à moins de %s km ont été données à des enfants plus prioritaires ou inscrits plus tôt.", km),
			fmt.Sprintf("All seats within %s km went to children with a higher priority or an earlier request.", km)
	case ReasonKeptWithSiblings:
		return fmt.Sprintf("Vous avez demandé que vos enfants ne soient accueillis que s'ils le sont tous : aucun pôle à moins de %s km ne pouvait les accueillir tous ensemble ce jour-là, donc cet enfant attend avec ses frères et sœurs.", km),
			fmt.Sprintf("You asked for your children to be hosted only if all of them are: no hub within %s km could host them all together that day, so this child waits with their brothers and sisters.", km)
	case ReasonSiblingHubFull:
		return "Un frère ou une sœur est déjà accueilli ce jour-là dans un pôle qui n'a plus de place, ou qui est trop loin pour cet enfant.",
			"A brother or sister already has a seat that day in a hub with no seat left, or too far for this child."
	case ReasonNoCommonHub:
		return fmt.Sprintf("Aucun pôle à moins de %s km n'accueille ensemble tous les frères et sœurs inscrits ce jour-là.", km),
			fmt.Sprintf("No hub within %s km can host all the brothers and sisters booked that day together.", km)
	case ReasonNoRoomForSiblings:
		return fmt.Sprintf("Aucun pôle à moins de %s km n'a assez de places pour accueillir ensemble les frères et sœurs ; les autres places ont été données à des enfants plus prioritaires ou inscrits plus tôt.", km),
			fmt.Sprintf("No hub within %s km had enough seats to host the brothers and sisters together; the other seats went to children with a higher priority or an earlier request.", km)
	}
	return "Raison inconnue.", "Unknown reason."
}
