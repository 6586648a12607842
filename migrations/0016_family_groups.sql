-- Brothers and sisters (alloc's family groups): by default they are kept together where a hub can
-- take them, and a child who cannot be placed no longer sends the others to the waitlist. A family
-- may still ask that its children be hosted only if all of them are, in one hub ("n'accueillir mes
-- enfants que s'ils le sont tous"): all_or_none. allow_split keeps its meaning (the children may be
-- hosted in different hubs); the two choices exclude each other.
ALTER TABLE household ADD COLUMN all_or_none boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT household_siblings_choice CHECK (NOT (allow_split AND all_or_none));

-- A child of an all-or-none family waiting with its brothers and sisters, though it alone could
-- have had a seat.
ALTER TYPE waitlist_reason ADD VALUE 'kept_with_siblings';

-- When the hubs in reach are full, the nearest of them, named to the family.
ALTER TABLE waitlist_entry ADD COLUMN nearest_full_hub_id bigint REFERENCES hub (id) ON DELETE SET NULL;

-- The allocator reads the households through this view: it now gives the choice too (a new last
-- column, as CREATE OR REPLACE VIEW allows).
CREATE OR REPLACE VIEW household_tier AS
SELECT h.id, h.account_id, h.allow_split, h.home_commune_code, h.work_commune_code,
       COALESCE((SELECT min(pr.tier) FROM parent pa JOIN profession pr ON pr.code = pa.profession_code
                 WHERE pa.household_id = h.id), 3) AS tier,
       h.all_or_none
FROM household h;
