package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// IsEmpty reports whether no académie has been loaded yet (no commune).
func (s *Store) IsEmpty(ctx context.Context) (bool, error) {
	var exists bool
	err := s.q.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM commune)`)
	return !exists, err
}

// LoadSeed loads a whole académie in one transaction, with set-based inserts (the demo's 17,000
// rows take well under a second). IDs are drawn from the tables' sequences first so rows can
// reference each other without a round trip per row.
func (s *Store) LoadSeed(ctx context.Context, seed Seed) error {
	hashes := map[string]*string{}
	for _, a := range seed.Accounts {
		if _, done := hashes[a.Password]; done || a.Password == "" {
			continue
		}
		h, err := HashPassword(a.Password)
		if err != nil {
			return err
		}
		hashes[a.Password] = &h
	}
	err := s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		if err := tx.loadGeography(ctx, seed); err != nil {
			return fmt.Errorf("geography: %w", err)
		}
		hubIDs, err := tx.loadHubs(ctx, seed.Hubs)
		if err != nil {
			return fmt.Errorf("hubs: %w", err)
		}
		if _, err := tx.MaterializeCapacity(ctx, seed.OpenDays); err != nil {
			return fmt.Errorf("capacity: %w", err)
		}
		accountIDs, err := tx.loadAccounts(ctx, seed.Accounts, hashes, hubIDs)
		if err != nil {
			return fmt.Errorf("accounts: %w", err)
		}
		if err := tx.loadHouseholds(ctx, seed.Households, accountIDs); err != nil {
			return fmt.Errorf("households: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Freshly filled tables have no statistics until autovacuum comes by, a minute or more
	// later: without them the first bookings ran on plans that scan a whole day of requests.
	_, err = s.q.ExecContext(ctx, `ANALYZE`)
	return err
}

func (s *Store) nextIDs(ctx context.Context, table string, n int) ([]int64, error) {
	var ids []int64
	err := s.q.SelectContext(ctx, &ids, `SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)`, table, n)
	return ids, err
}

func (s *Store) loadGeography(ctx context.Context, seed Seed) error {
	var codes, names []string
	for _, d := range seed.Departements {
		codes = append(codes, d.Code)
		names = append(names, d.Name)
	}
	if _, err := s.q.ExecContext(ctx, `INSERT INTO departement (code, name) SELECT * FROM unnest($1::text[], $2::text[])`,
		pq.Array(codes), pq.Array(names)); err != nil {
		return translate(err)
	}
	var insee, cname, dep, postal []string
	var pop []int64
	var lat, lon []float64
	for _, c := range seed.Communes {
		insee = append(insee, c.InseeCode)
		cname = append(cname, c.Name)
		dep = append(dep, c.Departement)
		postal = append(postal, c.PostalCode)
		pop = append(pop, int64(c.Population))
		lat = append(lat, c.Lat)
		lon = append(lon, c.Lon)
	}
	_, err := s.q.ExecContext(ctx, `
		INSERT INTO commune (insee_code, name, departement_code, population, postal_code, lat, lon)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::float8[], $7::float8[])`,
		pq.Array(insee), pq.Array(cname), pq.Array(dep), pq.Array(pop), pq.Array(postal), pq.Array(lat), pq.Array(lon))
	return translate(err)
}

func (s *Store) loadHubs(ctx context.Context, hubs []SeedHub) (map[string]int64, error) {
	ids, err := s.nextIDs(ctx, "hub", len(hubs))
	if err != nil {
		return nil, err
	}
	byUAI := map[string]int64{}
	var uai, name, addr, commune, phone, opens, closes []string
	var lat, lon []float64
	var lHub []int64
	var lLevel []string
	var lCap []int64
	for i, h := range hubs {
		byUAI[h.UAI] = ids[i]
		uai = append(uai, h.UAI)
		name = append(name, h.Name)
		addr = append(addr, h.Address)
		commune = append(commune, h.CommuneCode)
		lat = append(lat, h.Lat)
		lon = append(lon, h.Lon)
		phone = append(phone, h.Phone)
		opens, closes = append(opens, cmp.Or(h.OpensAt, "07:30")), append(closes, cmp.Or(h.ClosesAt, "18:30"))
		for _, l := range Levels {
			if c, ok := h.Capacity[l]; ok {
				lHub = append(lHub, ids[i])
				lLevel = append(lLevel, string(l))
				lCap = append(lCap, int64(c))
			}
		}
	}
	if _, err := s.q.ExecContext(ctx, `
		INSERT INTO hub (id, uai, name, address, commune_code, lat, lon, phone, opens_at, closes_at) OVERRIDING SYSTEM VALUE
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::text[], $9::time[], $10::time[])`,
		pq.Array(ids), pq.Array(uai), pq.Array(name), pq.Array(addr), pq.Array(commune), pq.Array(lat), pq.Array(lon),
		pq.Array(phone), pq.Array(opens), pq.Array(closes)); err != nil {
		return nil, translate(err)
	}
	if _, err := s.q.ExecContext(ctx, `
		INSERT INTO hub_level (hub_id, level, default_capacity)
		SELECT * FROM unnest($1::bigint[], $2::school_level[], $3::int[])`,
		pq.Array(lHub), pq.Array(lLevel), pq.Array(lCap)); err != nil {
		return nil, translate(err)
	}
	return byUAI, nil
}

// MaterializeCapacity gives every open hub its default capacity for each of days that has none
// yet, and returns how many hub-day-level rows it created. Days already set are left alone, so
// capacity changes made for a day survive.
func (s *Store) MaterializeCapacity(ctx context.Context, days []time.Time) (int64, error) {
	var ds []string
	for _, d := range days {
		ds = append(ds, d.Format(time.DateOnly))
	}
	res, err := s.q.ExecContext(ctx, `
		INSERT INTO hub_day_capacity (hub_id, day, level, capacity)
		SELECT hl.hub_id, d.day, hl.level, hl.default_capacity
		FROM hub_level hl
		JOIN hub h ON h.id = hl.hub_id AND h.status = 'open'
		CROSS JOIN unnest($1::date[]) AS d(day)
		WHERE extract(isodow FROM d.day) BETWEEN 1 AND 5
		ON CONFLICT (hub_id, day, level) DO NOTHING`, pq.Array(ds))
	if err != nil {
		return 0, translate(err)
	}
	return res.RowsAffected()
}

func (s *Store) loadAccounts(ctx context.Context, accounts []SeedAccount, hashes map[string]*string, hubIDs map[string]int64) (map[string]int64, error) {
	ids, err := s.nextIDs(ctx, "account", len(accounts))
	if err != nil {
		return nil, err
	}
	byEmail := map[string]int64{}
	var email, role, display, dep []string
	var hash []*string
	var ahAccount, ahHub []int64
	for i, a := range accounts {
		e := NormalizeEmail(a.Email)
		byEmail[e] = ids[i]
		email = append(email, e)
		hash = append(hash, hashes[a.Password])
		role = append(role, string(a.Role))
		display = append(display, a.DisplayName)
		dep = append(dep, a.DepartementCode)
		for _, u := range a.HubUAIs {
			hid, ok := hubIDs[u]
			if !ok {
				return nil, fmt.Errorf("%w: account %s runs unknown hub %s", ErrInvalid, a.Email, u)
			}
			ahAccount = append(ahAccount, ids[i])
			ahHub = append(ahHub, hid)
		}
	}
	hashArr := make([]sql.NullString, len(hash))
	for i, h := range hash {
		if h != nil {
			hashArr[i] = sql.NullString{String: *h, Valid: true}
		}
	}
	if _, err := s.q.ExecContext(ctx, `
		INSERT INTO account (id, email, password_hash, role, display_name, departement_code, email_confirmed_at) OVERRIDING SYSTEM VALUE
		SELECT id, email, hash, role, display, NULLIF(dep, ''), $7
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::account_role[], $5::text[], $6::text[]) AS t(id, email, hash, role, display, dep)`,
		pq.Array(ids), pq.Array(email), pq.Array(hashArr), pq.Array(role), pq.Array(display), pq.Array(dep), s.now()); err != nil {
		return nil, translate(err)
	}
	if _, err := s.q.ExecContext(ctx, `INSERT INTO account_hub (account_id, hub_id) SELECT * FROM unnest($1::bigint[], $2::bigint[])`,
		pq.Array(ahAccount), pq.Array(ahHub)); err != nil {
		return nil, translate(err)
	}
	return byEmail, nil
}

func (s *Store) loadHouseholds(ctx context.Context, households []SeedHousehold, accountIDs map[string]int64) error {
	hIDs, err := s.nextIDs(ctx, "household", len(households))
	if err != nil {
		return err
	}
	nChildren := 0
	for _, h := range households {
		nChildren += len(h.Children)
	}
	cIDs, err := s.nextIDs(ctx, "child", nChildren)
	if err != nil {
		return err
	}
	var h struct {
		id, account             []int64
		addr, home, work, sworn []string
		split                   []bool
	}
	var p struct {
		household, rank                    []int64
		first, last, phone, prof, employer []string
	}
	var c struct {
		id, household                   []int64
		first, last, birth, level, note []string
	}
	var pk struct {
		child                 []int64
		name, phone, relation []string
	}
	var r struct {
		child                                    []int64
		day, location, arrive, depart, requested []string
	}
	ci := 0
	for i, hh := range households {
		acc, ok := accountIDs[NormalizeEmail(hh.AccountEmail)]
		if !ok {
			return fmt.Errorf("%w: household of unknown account %s", ErrInvalid, hh.AccountEmail)
		}
		h.id = append(h.id, hIDs[i])
		h.account = append(h.account, acc)
		h.addr = append(h.addr, hh.HomeAddress)
		h.home = append(h.home, hh.HomeCommune)
		h.work = append(h.work, hh.WorkCommune)
		h.sworn = append(h.sworn, hh.SwornAt.Format(time.RFC3339))
		h.split = append(h.split, hh.AllowSplit)
		for j, pa := range hh.Parents {
			p.household = append(p.household, hIDs[i])
			p.rank = append(p.rank, int64(j+1))
			p.first = append(p.first, pa.FirstName)
			p.last = append(p.last, pa.LastName)
			p.phone = append(p.phone, pa.Phone)
			p.prof = append(p.prof, pa.ProfessionCode)
			p.employer = append(p.employer, pa.Employer)
		}
		for _, ch := range hh.Children {
			id := cIDs[ci]
			ci++
			c.id = append(c.id, id)
			c.household = append(c.household, hIDs[i])
			c.first = append(c.first, ch.FirstName)
			c.last = append(c.last, ch.LastName)
			c.birth = append(c.birth, ch.BirthDate.Format(time.DateOnly))
			c.level = append(c.level, string(ch.Level))
			c.note = append(c.note, ch.HealthNote)
			for _, x := range ch.Pickups {
				pk.child = append(pk.child, id)
				pk.name = append(pk.name, x.Name)
				pk.phone = append(pk.phone, x.Phone)
				pk.relation = append(pk.relation, x.Relation)
			}
			for _, x := range ch.Requests {
				r.child = append(r.child, id)
				r.day = append(r.day, x.Day.Format(time.DateOnly))
				r.location = append(r.location, string(x.Location))
				r.arrive = append(r.arrive, x.ArriveAt)
				r.depart = append(r.depart, x.DepartAt)
				r.requested = append(r.requested, x.RequestedAt.Format(time.RFC3339Nano))
			}
		}
	}
	steps := []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO household (id, account_id, home_address, home_commune_code, work_commune_code, sworn_at, sworn_text_version, allow_split) OVERRIDING SYSTEM VALUE
		  SELECT id, acc, addr, home, work, sworn, 'demo', split
		  FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::bool[]) AS t(id, acc, addr, home, work, sworn, split)`,
			[]any{pq.Array(h.id), pq.Array(h.account), pq.Array(h.addr), pq.Array(h.home), pq.Array(h.work), pq.Array(h.sworn), pq.Array(h.split)}},
		{`INSERT INTO parent (household_id, rank, first_name, last_name, phone, profession_code, employer)
		  SELECT hh, rank, first, last, phone, NULLIF(prof, ''), employer
		  FROM unnest($1::bigint[], $2::smallint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS t(hh, rank, first, last, phone, prof, employer)`,
			[]any{pq.Array(p.household), pq.Array(p.rank), pq.Array(p.first), pq.Array(p.last), pq.Array(p.phone), pq.Array(p.prof), pq.Array(p.employer)}},
		{`INSERT INTO child (id, household_id, first_name, last_name, birth_date, level) OVERRIDING SYSTEM VALUE
		  SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::date[], $6::school_level[])`,
			[]any{pq.Array(c.id), pq.Array(c.household), pq.Array(c.first), pq.Array(c.last), pq.Array(c.birth), pq.Array(c.level)}},
		{`INSERT INTO pickup_person (child_id, name, phone, relation)
		  SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[])`,
			[]any{pq.Array(pk.child), pq.Array(pk.name), pq.Array(pk.phone), pq.Array(pk.relation)}},
		{`INSERT INTO booking_request (child_id, day, location, arrive_at, depart_at, requested_at)
		  SELECT * FROM unnest($1::bigint[], $2::date[], $3::booking_location[], $4::time[], $5::time[], $6::timestamptz[])`,
			[]any{pq.Array(r.child), pq.Array(r.day), pq.Array(r.location), pq.Array(r.arrive), pq.Array(r.depart), pq.Array(r.requested)}},
	}
	for _, st := range steps {
		if _, err := s.q.ExecContext(ctx, st.sql, st.args...); err != nil {
			return translate(err)
		}
	}
	noted, sealed, err := s.sealNotes(c.id, c.note)
	if err != nil {
		return err
	}
	return s.writeSealedNotes(ctx, noted, sealed)
}
