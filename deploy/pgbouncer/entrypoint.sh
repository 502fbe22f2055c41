#!/bin/sh
# Write pgbouncer.ini and its userlist from the environment, then run PgBouncer.
# POSTGRES_PASSWORD (required), DB_HOST (postgres), DB_NAME and DB_USER (modeler),
# MAX_CLIENT_CONN (500), DEFAULT_POOL_SIZE (20).
set -eu
: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}"
conf=/var/lib/pgbouncer-conf
db="${DB_NAME:-modeler}"; user="${DB_USER:-modeler}"
umask 077
cat > "$conf/pgbouncer.ini" <<INI
[databases]
$db = host=${DB_HOST:-postgres} port=5432 dbname=$db

[pgbouncer]
listen_addr = 0.0.0.0
listen_port = 6432
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $conf/userlist.txt
; one server connection per transaction: no session state survives a COMMIT (the app sets
; none: Django's client-side binding, no server-side cursors with DB_PGBOUNCER=1)
pool_mode = transaction
max_client_conn = ${MAX_CLIENT_CONN:-500}
default_pool_size = ${DEFAULT_POOL_SIZE:-20}
server_reset_query =
ignore_startup_parameters = extra_float_digits
INI
printf '"%s" "%s"\n' "$user" "$POSTGRES_PASSWORD" > "$conf/userlist.txt"
exec pgbouncer "$conf/pgbouncer.ini"
