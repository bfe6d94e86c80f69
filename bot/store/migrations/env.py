"""Alembic environment: the engine comes from bot.store.migrate (no ini file, no URL here)."""

from alembic import context

from bot.store.tables import metadata

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    context.run_migrations()
