-- Creates the hub's role and database. Run once as the postgres superuser:
--   sudo -u postgres psql -v pw="'<hub password>'" -v rpw="'<replication password>'" -f deploy/postgres/init.sql
-- The hub migrates its own tables at start (core/migrations/postgres/).
CREATE ROLE thads LOGIN PASSWORD :pw;
CREATE DATABASE thads OWNER thads ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0;
-- For streaming replicas and pg_basebackup.
CREATE ROLE replicator REPLICATION LOGIN PASSWORD :rpw;
