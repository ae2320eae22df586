"""SQLite store: engine, ORM tables, queries and Alembic migrations (the only place with SQL)."""
