-- v3 -> v4: a sign-off keeps the report exactly as the customer signed it. The office may
-- edit the report's header (appointment, appliance) while the engineer is offline; the
-- signature covers what the customer saw. Sign-offs from before v4 have none (NULL).
ALTER TABLE signoffs ADD COLUMN report_json TEXT;
