#!/bin/sh
# Run once by the postgres image when it initialises an empty data directory (docker-entrypoint-initdb.d).
# Two roles, neither a superuser:
#   quanze_owner  owns the database, its schema and every table; runs `manage.py migrate` and nothing else.
#   quanze_app    what gunicorn, the worker and beat connect as: owns nothing, so it can neither disable nor
#                 drop a trigger, alter or truncate a table; it may read and write rows, and the append-only
#                 tables' triggers refuse its UPDATE, DELETE and TRUNCATE on them.
# The cluster's superuser (POSTGRES_USER) is used by no Quanze process.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v owner_password="$QUANZE_DB_OWNER_PASSWORD" -v app_password="$QUANZE_DB_APP_PASSWORD" <<'SQL'
CREATE ROLE quanze_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    PASSWORD :'owner_password';
CREATE ROLE quanze_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT
    PASSWORD :'app_password';
ALTER DATABASE :"DBNAME" OWNER TO quanze_owner;
REVOKE ALL ON DATABASE :"DBNAME" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"DBNAME" TO quanze_app;
ALTER SCHEMA public OWNER TO quanze_owner;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO quanze_app;
-- every table and sequence the owner's migrations create: rows only (no TRUNCATE, TRIGGER or REFERENCES)
ALTER DEFAULT PRIVILEGES FOR ROLE quanze_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO quanze_app;
ALTER DEFAULT PRIVILEGES FOR ROLE quanze_owner IN SCHEMA public
    GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO quanze_app;
SQL
