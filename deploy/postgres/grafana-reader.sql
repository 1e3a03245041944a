-- The role Grafana reads the conversation store with (deploy/grafana/provisioning/datasources/
-- innboks-store.yml): SELECT on exactly the columns of the table "Åpne henvendelser"
-- (innboks/ops/dashboards.py, OPEN_INQUIRIES), so no Grafana user can read message text, authors or
-- anything else personal, not even through Explore. A test checks that these grants and the
-- panel's SQL name the same columns.
--
-- Run with psql as the store's owner after `innboks store migrate` (compose: the store-grants
-- service; Kubernetes: docs/deployment.md), with GRAFANA_STORE_PASSWORD in the environment:
--   GRAFANA_STORE_PASSWORD=... psql "$STORE_OWNER_URL" -f deploy/postgres/grafana-reader.sql
-- Idempotent: it sets the password and replaces the grants each time.
\set ON_ERROR_STOP on
\getenv reader_password GRAFANA_STORE_PASSWORD
\if :{?reader_password}
\else
  \warn 'grafana-reader.sql: set GRAFANA_STORE_PASSWORD'
  SELECT 1 / 0 AS grafana_store_password_missing;
\endif

SELECT 'CREATE ROLE grafana_reader' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'grafana_reader')
\gexec
ALTER ROLE grafana_reader WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'reader_password';

BEGIN;
-- Revoking table privileges revokes the column privileges too: what follows is the whole grant.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM grafana_reader;
GRANT CONNECT ON DATABASE :"DBNAME" TO grafana_reader;
GRANT USAGE ON SCHEMA public TO grafana_reader;
GRANT SELECT (inquiry_id, conversation_key, account_id, platform, state, due_at, escalate) ON inquiries TO grafana_reader;
GRANT SELECT (id, category) ON messages TO grafana_reader;
GRANT SELECT (conversation_key, assignee) ON assignments TO grafana_reader;
COMMIT;
