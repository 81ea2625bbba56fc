#!/usr/bin/env bash
# email-service's own database and user on the shared MariaDB, for its sent store
# (SENT_STORE_URL=mysql://$EMAIL_DB_USER:$EMAIL_DB_PASSWORD@mariadb:3306/$EMAIL_DB_NAME); the
# service creates its table itself (knex migrations) when it starts.
#
# The MariaDB image sources this file from /docker-entrypoint-initdb.d/ on the first start of an
# empty data volume (docker_process_sql is the image's helper then). On a volume that already
# exists, run it once by hand:
#   docker compose exec mariadb bash /docker-entrypoint-initdb.d/10-email-sent-store.sh
# Idempotent: it creates what is missing and (re)sets the user's password and grant.

: "${EMAIL_DB_NAME:?EMAIL_DB_NAME is not set (see .dockerenv.example)}"
: "${EMAIL_DB_USER:?EMAIL_DB_USER is not set (see .dockerenv.example)}"
: "${EMAIL_DB_PASSWORD:?EMAIL_DB_PASSWORD is not set (see .dockerenv.example)}"

if ! declare -F docker_process_sql >/dev/null; then
  docker_process_sql() { mariadb -uroot --password="${MARIADB_ROOT_PASSWORD?MARIADB_ROOT_PASSWORD is not set}" "$@"; }
fi

email_db_sql_string() { # a value as the body of a single-quoted SQL string
  local value=${1//\\/\\\\}
  printf '%s' "${value//\'/\'\'}"
}
email_db_name=${EMAIL_DB_NAME//\`/\`\`}

docker_process_sql <<SQL
CREATE DATABASE IF NOT EXISTS \`${email_db_name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$(email_db_sql_string "$EMAIL_DB_USER")'@'%' IDENTIFIED BY '$(email_db_sql_string "$EMAIL_DB_PASSWORD")';
ALTER USER '$(email_db_sql_string "$EMAIL_DB_USER")'@'%' IDENTIFIED BY '$(email_db_sql_string "$EMAIL_DB_PASSWORD")';
GRANT ALL PRIVILEGES ON \`${email_db_name}\`.* TO '$(email_db_sql_string "$EMAIL_DB_USER")'@'%';
SQL
unset -f email_db_sql_string
unset email_db_name
