"""Workshop storage: SQLAlchemy on SQLite (embedded default) or PostgreSQL.

This package is the only place that imports a database library; ``model/`` stays pure and the
Streamlit side (``ui/workshop*``) reaches the database only through :class:`persistence.store.WorkshopStore`.
"""
