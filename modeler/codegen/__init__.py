"""Code generation: SQLAlchemy models, Alembic revisions, DDL, DESIGN.md and the export bundle.

The one package besides the web layer that may import SQLAlchemy and Alembic.
"""
