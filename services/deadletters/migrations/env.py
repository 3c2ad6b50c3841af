import sacinfra  # noqa: F401  (sets PSYCOPG_IMPL before psycopg is imported)
from sacinfra.migrate import run_migrations

run_migrations()
