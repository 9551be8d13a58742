"""The floor for start-up: a bare Typer app that inserts one row into SQLite.

    python benchmarks/bare_app.py add --db FILE NAME
"""

import sqlite3

import typer

app = typer.Typer()


@app.command()
def add(name: str, db: str = typer.Option(..., "--db", help="file")) -> None:
    """Insert one row."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS t (name TEXT)")
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO t VALUES (?)", (name,))
    conn.execute("COMMIT")
    print(name)


@app.command()
def other() -> None:
    """A second command, so that the app is a group as tongwei is."""


if __name__ == "__main__":
    app()
