-- v6 -> v7: a row's insert stamp (the row stamp, field_clocks.field = '*') moves into the row,
-- as its column row_stamp: a row as the server sent it then needs no stamp row of its own (a
-- first sync wrote one for each of its hundreds of thousands of rows). field_clocks keeps only
-- the stamps of fields changed since the row was written. Every stamp is carried over as it was.
ALTER TABLE customers ADD COLUMN row_stamp TEXT;
UPDATE customers SET row_stamp = (SELECT hlc FROM field_clocks f WHERE f.entity = 'customer' AND f.row_id = customers.id AND f.field = '*');
ALTER TABLE sites ADD COLUMN row_stamp TEXT;
UPDATE sites SET row_stamp = (SELECT hlc FROM field_clocks f WHERE f.entity = 'site' AND f.row_id = sites.id AND f.field = '*');
ALTER TABLE contracts ADD COLUMN row_stamp TEXT;
UPDATE contracts SET row_stamp = (SELECT hlc FROM field_clocks f WHERE f.entity = 'contract' AND f.row_id = contracts.id AND f.field = '*');
ALTER TABLE assets ADD COLUMN row_stamp TEXT;
UPDATE assets SET row_stamp = (SELECT hlc FROM field_clocks f WHERE f.entity = 'asset' AND f.row_id = assets.id AND f.field = '*');
ALTER TABLE work_orders ADD COLUMN row_stamp TEXT;
UPDATE work_orders SET row_stamp = (SELECT hlc FROM field_clocks f WHERE f.entity = 'work_order' AND f.row_id = work_orders.id AND f.field = '*');
ALTER TABLE status_changes ADD COLUMN row_stamp TEXT;
UPDATE status_changes SET row_stamp = (SELECT hlc FROM field_clocks f WHERE f.entity = 'status_change' AND f.row_id = status_changes.id AND f.field = '*');
ALTER TABLE diagnoses ADD COLUMN row_stamp TEXT;
UPDATE diagnoses SET row_stamp = (SELECT hlc FROM field_clocks f WHERE f.entity = 'diagnosis' AND f.row_id = diagnoses.id AND f.field = '*');
ALTER TABLE measurements ADD COLUMN row_stamp TEXT;
UPDATE measurements SET row_stamp = (SELECT hlc FROM field_clocks f WHERE f.entity = 'measurement' AND f.row_id = measurements.id AND f.field = '*');
ALTER TABLE checklist_results ADD COLUMN row_stamp TEXT;
UPDATE checklist_results SET row_stamp = (SELECT hlc FROM field_clocks f WHERE f.entity = 'checklist_result' AND f.row_id = checklist_results.id AND f.field = '*');
ALTER TABLE notes ADD COLUMN row_stamp TEXT;
UPDATE notes SET row_stamp = (SELECT hlc FROM field_clocks f WHERE f.entity = 'note' AND f.row_id = notes.id AND f.field = '*');
ALTER TABLE time_entries ADD COLUMN row_stamp TEXT;
UPDATE time_entries SET row_stamp = (SELECT hlc FROM field_clocks f WHERE f.entity = 'time_entry' AND f.row_id = time_entries.id AND f.field = '*');
ALTER TABLE part_lines ADD COLUMN row_stamp TEXT;
UPDATE part_lines SET row_stamp = (SELECT hlc FROM field_clocks f WHERE f.entity = 'part_line' AND f.row_id = part_lines.id AND f.field = '*');
ALTER TABLE quote_lines ADD COLUMN row_stamp TEXT;
UPDATE quote_lines SET row_stamp = (SELECT hlc FROM field_clocks f WHERE f.entity = 'quote_line' AND f.row_id = quote_lines.id AND f.field = '*');
ALTER TABLE quote_decisions ADD COLUMN row_stamp TEXT;
UPDATE quote_decisions SET row_stamp = (SELECT hlc FROM field_clocks f WHERE f.entity = 'quote_decision' AND f.row_id = quote_decisions.id AND f.field = '*');
ALTER TABLE function_tests ADD COLUMN row_stamp TEXT;
UPDATE function_tests SET row_stamp = (SELECT hlc FROM field_clocks f WHERE f.entity = 'function_test' AND f.row_id = function_tests.id AND f.field = '*');
-- Also v6 -> v7: a sign-off's strokes and signed report are stored zstd-compressed
-- (store/packed.rs; onsite_pack is registered by the upgrade), the same text unpacked: the
-- table is rebuilt with the two columns as BLOB, and its row stamp.
CREATE TABLE signoffs_v7 (
    id            TEXT PRIMARY KEY,
    work_order_id TEXT NOT NULL REFERENCES work_orders(id),
    signer_name   TEXT NOT NULL,
    signed_at     TEXT NOT NULL,
    strokes       BLOB NOT NULL,
    report_sha256 TEXT NOT NULL,
    report_json   BLOB,
    row_stamp     TEXT
) STRICT;
INSERT INTO signoffs_v7
    SELECT id, work_order_id, signer_name, signed_at, onsite_pack(strokes), report_sha256,
           onsite_pack(report_json),
           (SELECT hlc FROM field_clocks f WHERE f.entity = 'sign_off' AND f.row_id = signoffs.id AND f.field = '*')
    FROM signoffs;
DROP TABLE signoffs;
ALTER TABLE signoffs_v7 RENAME TO signoffs;
CREATE INDEX signoffs_wo ON signoffs(work_order_id);
-- The row stamps of rows no longer stored (none should exist) go with the others.
DELETE FROM field_clocks WHERE field = '*';
