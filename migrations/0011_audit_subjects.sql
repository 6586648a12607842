-- The access log names its subjects in columns of their own, so that an inspector can ask "who
-- saw or changed this child's data", "what happened at this hub", "what happened that day"
-- without reading every entry's details.
ALTER TABLE audit_log
    ADD COLUMN hub_id    bigint,
    ADD COLUMN child_ids bigint[] NOT NULL DEFAULT '{}',
    ADD COLUMN day       date;
CREATE INDEX audit_log_child_ids_idx ON audit_log USING gin (child_ids);
CREATE INDEX audit_log_hub_idx ON audit_log (hub_id, at) WHERE hub_id IS NOT NULL;
CREATE INDEX audit_log_day_idx ON audit_log (day, at) WHERE day IS NOT NULL;
