"""Alembic environment: runs on the connection ``innboks.db.engine.migrate`` passes in."""

from alembic import context

from innboks.db.schema import include_name, metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, include_name=include_name)
with context.begin_transaction():
    context.run_migrations()
