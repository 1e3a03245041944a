"""The first schema: every table of innboks.store.schema as it stood at 0001, and the append-only audit log.

Later changes are new revisions (0002, …) with explicit operations; this one creates the tables
from the table definitions, which are its snapshot.
"""

from alembic import op

from innboks.store import schema

revision = "0001"
down_revision = None

SQLITE_GUARDS = """
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
"""

POSTGRES_GUARDS = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
"""


def upgrade() -> None:
    bind = op.get_bind()
    schema.metadata.create_all(bind)
    guards = SQLITE_GUARDS if bind.dialect.name == "sqlite" else POSTGRES_GUARDS
    for statement in guards.split(";\nCREATE"):
        statement = statement.strip()
        if statement:
            op.execute(statement if statement.startswith("CREATE") else "CREATE " + statement)


def downgrade() -> None:
    schema.metadata.drop_all(op.get_bind())
