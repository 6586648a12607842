package store

import (
	"time"

	"github.com/accueil-prioritaire/accueil/geo"
)

// Role is what an account may do; a prefecture account also has a département, a director hubs.
type Role string

// The roles.
const (
	RoleParent     Role = "parent"
	RoleDirector   Role = "director"
	RolePrefecture Role = "prefecture"
	RoleRectorat   Role = "rectorat"
	RoleAdmin      Role = "admin"
)

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool {
	switch r {
	case RoleParent, RoleDirector, RolePrefecture, RoleRectorat, RoleAdmin:
		return true
	}
	return false
}

// Location is where a family wants its hub: near home or near work.
type Location string

// The locations.
const (
	NearHome Location = "home"
	NearWork Location = "work"
)

// Seed is a whole académie to load at once into an empty database (the demo, big test fixtures).
type Seed struct {
	Departements []geo.Departement
	Communes     []geo.Commune
	Hubs         []SeedHub
	// OpenDays are the days for which every open hub gets its default capacity.
	OpenDays   []time.Time
	Accounts   []SeedAccount
	Households []SeedHousehold
}

// SeedHub is a hub with its usual capacity per level; the levels it accepts are the keys.
type SeedHub struct {
	UAI         string
	Name        string
	Address     string
	CommuneCode string
	geo.Point
	Capacity map[Level]int
	// Phone is ten digits or empty; OpensAt and ClosesAt ("07:30") empty take the schema's
	// defaults.
	Phone             string
	OpensAt, ClosesAt string
}

// SeedAccount is an account with a plain-text password (hashed when loaded; identical passwords
// are hashed once) and, for a director, the UAI codes of its hubs.
type SeedAccount struct {
	Email           string
	Password        string
	Role            Role
	DisplayName     string
	DepartementCode string
	HubUAIs         []string
}

// SeedHousehold belongs to the parent account with e-mail AccountEmail.
type SeedHousehold struct {
	AccountEmail string
	HomeAddress  string
	HomeCommune  string
	WorkCommune  string
	SwornAt      time.Time
	AllowSplit   bool
	Parents      []SeedParent // parent 1 first; 1 or 2
	Children     []SeedChild
}

// SeedParent is one parent; ProfessionCode is empty for a parent 2 outside the priority list.
type SeedParent struct {
	FirstName      string
	LastName       string
	Phone          string
	ProfessionCode string
	Employer       string
}

// SeedChild is a child with its authorised pick-up persons and the days asked for.
type SeedChild struct {
	FirstName  string
	LastName   string
	BirthDate  time.Time
	Level      Level
	HealthNote string
	Pickups    []SeedPickup
	Requests   []SeedRequest
}

// SeedPickup is a person allowed to collect a child.
type SeedPickup struct {
	Name     string
	Phone    string
	Relation string
}

// SeedRequest is a day asked for a child. Times are "15:04" between 07:30 and 18:30.
type SeedRequest struct {
	Day         time.Time
	Location    Location
	ArriveAt    string
	DepartAt    string
	RequestedAt time.Time
}
