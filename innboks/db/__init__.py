"""The conversation store's database: tables, engine, migrations, full-text index and the audit log.

The store projection writes it; the inbox and the records read it (and write their own staff
tables). It imports no runtime.
"""
