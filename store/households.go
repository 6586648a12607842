package store

import (
	"context"
	"database/sql"
	"time"
)

// Parent is a parent of a household as entered by the family.
type Parent struct {
	FirstName      string `db:"first_name"`
	LastName       string `db:"last_name"`
	Phone          string `db:"phone"`
	ProfessionCode string `db:"profession_code"`
	Employer       string `db:"employer"`
}

// Household is a family: its parents, where it lives and works, its sworn statement.
type Household struct {
	ID               int64      `db:"id"`
	AccountID        int64      `db:"account_id"`
	HomeAddress      string     `db:"home_address"`
	HomeCommune      string     `db:"home_commune_code"`
	HomeCommuneName  string     `db:"home_commune_name"`
	WorkCommune      string     `db:"work_commune_code"`
	WorkCommuneName  string     `db:"work_commune_name"`
	SwornAt          time.Time  `db:"sworn_at"`
	SwornTextVersion string     `db:"sworn_text_version"`
	ProofCheckedAt   *time.Time `db:"proof_checked_at"`
	AllowSplit       bool       `db:"allow_split"`
	AllOrNone        bool       `db:"all_or_none"`
	Parents          []Parent   `db:"-"`
}

// HouseholdInput is what a family enters about itself. Parent 2 is optional (nil).
type HouseholdInput struct {
	Parent1          Parent
	Parent2          *Parent
	HomeAddress      string
	HomeCommune      string
	WorkCommune      string
	SwornTextVersion string
	// AllowSplit and AllOrNone are the family's choice for brothers and sisters (at most one of
	// them; neither: together where a hub can take them). Both set is ErrInvalid.
	AllowSplit bool
	AllOrNone  bool
}

// HouseholdOf returns the household of a parent account, or ErrNotFound.
func (s *Store) HouseholdOf(ctx context.Context, accountID int64) (Household, error) {
	var h Household
	err := s.q.GetContext(ctx, &h, `
		SELECT h.id, h.account_id, h.home_address, h.home_commune_code, hc.name AS home_commune_name,
		       h.work_commune_code, wc.name AS work_commune_name, h.sworn_at, h.sworn_text_version,
		       h.proof_checked_at, h.allow_split, h.all_or_none
		FROM household h
		JOIN commune hc ON hc.insee_code = h.home_commune_code
		JOIN commune wc ON wc.insee_code = h.work_commune_code
		WHERE h.account_id = $1`, accountID)
	if err != nil {
		return h, translate(err)
	}
	err = s.q.SelectContext(ctx, &h.Parents, `
		SELECT first_name, last_name, phone, COALESCE(profession_code, '') AS profession_code, employer
		FROM parent WHERE household_id = $1 ORDER BY rank`, h.ID)
	return h, err
}

// SaveHousehold creates or updates the household of a parent account, with its parents, in one
// transaction; the sworn statement takes the time of this save. It returns ErrInvalid for an
// unknown commune or profession, and the household's id.
func (s *Store) SaveHousehold(ctx context.Context, accountID int64, in HouseholdInput) (int64, error) {
	var id int64
	err := s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		err := tx.q.GetContext(ctx, &id, `
			INSERT INTO household (account_id, home_address, home_commune_code, work_commune_code, sworn_at, sworn_text_version, allow_split, all_or_none)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (account_id) DO UPDATE SET home_address = EXCLUDED.home_address,
				home_commune_code = EXCLUDED.home_commune_code, work_commune_code = EXCLUDED.work_commune_code,
				sworn_at = EXCLUDED.sworn_at, sworn_text_version = EXCLUDED.sworn_text_version,
				allow_split = EXCLUDED.allow_split, all_or_none = EXCLUDED.all_or_none, updated_at = EXCLUDED.sworn_at
			RETURNING id`,
			accountID, in.HomeAddress, in.HomeCommune, in.WorkCommune, tx.now(), in.SwornTextVersion, in.AllowSplit, in.AllOrNone)
		if err != nil {
			return translate(err)
		}
		if _, err := tx.q.ExecContext(ctx, `DELETE FROM parent WHERE household_id = $1`, id); err != nil {
			return err
		}
		parents := []Parent{in.Parent1}
		if in.Parent2 != nil {
			parents = append(parents, *in.Parent2)
		}
		for i, p := range parents {
			if _, err := tx.q.ExecContext(ctx, `
				INSERT INTO parent (household_id, rank, first_name, last_name, phone, profession_code, employer)
				VALUES ($1, $2, $3, $4, $5, NULLIF($6, ''), $7)`,
				id, i+1, p.FirstName, p.LastName, p.Phone, p.ProfessionCode, p.Employer); err != nil {
				return translate(err)
			}
		}
		return nil
	})
	return id, err
}

// CommuneChoice is a commune as offered to pick from.
type CommuneChoice struct {
	InseeCode   string `db:"insee_code" json:"code"`
	Name        string `db:"name" json:"name"`
	PostalCode  string `db:"postal_code" json:"postal_code"`
	Departement string `db:"departement_code" json:"departement"`
}

// CommuneChoices lists every commune, by name.
func (s *Store) CommuneChoices(ctx context.Context) ([]CommuneChoice, error) {
	var out []CommuneChoice
	err := s.q.SelectContext(ctx, &out, `SELECT insee_code, name, postal_code, departement_code FROM commune ORDER BY name, insee_code`)
	return out, err
}
