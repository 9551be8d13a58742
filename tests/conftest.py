"""Shared fixtures: every test gets its own database file in tmp_path, as `tongwei init`
leaves it (a copy of one made once a session, with its key), and a clean environment (no
TONGWEI_* variables leak in from the machine). A test of what happens before `init` is
marked `no_database`: its path has nothing at it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
import typer.main
import typer.testing
from typer.testing import CliRunner

from tongwei_cli import commands
from tongwei_cli.cli import app
from tongwei_cli.commands import language_of
from tongwei_cli.core import clock, settings
from tongwei_cli.storage.db import open_db

ROOT = Path(__file__).resolve().parent.parent


OFFICER = "测试警官"


@pytest.fixture(scope="session")
def template_database(tmp_path_factory) -> tuple[Path, Path]:
    """A database as `tongwei init` makes it, once a session, and its key file: each test
    gets a copy of both (`copy_database`) instead of running the migrations again."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "tongwei.db"
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("TONGWEI_"):
                patch.delenv(name)
        patch.setenv("XDG_CONFIG_HOME", str(folder / "config"))
        made = open_db(settings.Settings(db=str(path), officer=OFFICER, lang="en",
                                         tz_name="Asia/Shanghai"), path, create=True)
        try:
            key = made.keyring.created
            assert key is not None and key.source is not None
            key_file = key.source
        finally:
            made.close()
    return path, key_file


def copy_database(template: tuple[Path, Path], path: Path) -> None:
    """The template database at `path` (mode 0600), its key in this test's config folder,
    where the copy finds it by the database's id."""
    source, key_file = template
    shutil.copyfile(source, path)
    os.chmod(path, 0o600)
    keys = Path(os.environ["XDG_CONFIG_HOME"]) / "tongwei" / "keys"
    keys.mkdir(mode=0o700, parents=True, exist_ok=True)
    shutil.copyfile(key_file, keys / key_file.name)
    os.chmod(keys / key_file.name, 0o600)


_fresh: list = []  # the folder (removed at exit), the file, its key


def fresh_database(path: Path) -> None:
    """A database as `tongwei init` leaves it at `path`, its key where this test's commands
    look for it, for code that cannot take a fixture (a hypothesis example, a state
    machine): a copy of one made once a process, as migrating a new file each time cost
    most of such a test's time."""
    if not _fresh:
        kept = tempfile.TemporaryDirectory(prefix="tongwei-fresh-")
        folder = Path(kept.name)
        made = open_db(settings.current(), folder / "fresh.db", create=True)
        try:
            key = made.keyring.created
            assert key is not None and key.source is not None
        finally:
            made.close()
        shutil.copyfile(key.source, folder / key.source.name)
        _fresh.extend([kept, folder / "fresh.db", folder / key.source.name])
    copy_database((_fresh[1], _fresh[2]), path)


@pytest.fixture(autouse=True)
def clean_env(tmp_path, monkeypatch, request, template_database):
    for name in list(os.environ):
        if name.startswith("TONGWEI_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("TONGWEI_DB", str(tmp_path / "tongwei.db"))
    # The databases' keys go to the per-user config folder: this test's own, never the
    # real user's (subprocesses inherit it). Set apart from `monkeypatch`, which a test may
    # undo: its keys must still not land in the real folder.
    config_home = os.environ.get("XDG_CONFIG_HOME")
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    monkeypatch.setenv("TONGWEI_OFFICER", OFFICER)
    monkeypatch.setenv("TONGWEI_LANG", "en")
    monkeypatch.setenv("COLUMNS", "200")
    settings.install(settings.Settings())
    if request.node.get_closest_marker("no_database") is None:
        copy_database(template_database, tmp_path / "tongwei.db")
    yield
    commands.close_db()
    settings._current = None
    if config_home is None:
        os.environ.pop("XDG_CONFIG_HOME", None)
    else:
        os.environ["XDG_CONFIG_HOME"] = config_home


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "tongwei.db"


@pytest.fixture
def db(db_path):
    """This test's database, open, for domain tests."""
    handle = open_db(settings.current(), db_path)
    yield handle
    handle.close()


_trees: dict[str, object] = {}


def command_tree(args: list[str]):
    """The Click command the app becomes, for a run with `args`, built once a session for
    each language (building it takes Typer some 50 ms, several times a short command's own
    work). A Chinese run puts its tree into Chinese in place, as the installed command
    does in its one run (`commands.chinese.localise_command`, which is idempotent): an
    English run never gets that tree."""
    language = language_of(args)
    if language not in _trees:
        _trees[language] = typer.main.get_command(app)
    return _trees[language]


class Runner:
    """Runs the Typer app in-process, as CliRunner does, with errors on stderr apart."""

    def __init__(self):
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, ok: bool = True,
                 env: dict[str, str | None] | None = None, prog_name: str | None = None):
        result = self.invoke(args, input=input, env=env, prog_name=prog_name)
        if ok:
            assert result.exit_code == 0, (result.stdout, result.stderr)
        return result

    def invoke(self, args, *, input: str | None = None,
               env: dict[str, str | None] | None = None, prog_name: str | None = None,
               catch_exceptions: bool = False):
        """One run, whatever its exit status; `env` adds variables to the environment for
        it (None: removes one)."""
        argv = [str(a) for a in args]
        named = {"prog_name": prog_name} if prog_name else {}
        with mock.patch.dict(os.environ):
            for name, value in (env or {}).items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            tree = command_tree(argv)
            # CliRunner builds the tree from the app on every call: give it the one above.
            with mock.patch.object(typer.testing, "_get_command", lambda _app: tree):
                result = self.runner.invoke(app, argv, input=input,
                                            catch_exceptions=catch_exceptions, **named)
        commands.close_db()
        return result


@pytest.fixture
def run() -> Runner:
    return Runner()


def tongwei_exe() -> list[str]:
    """The installed command, as a script would call it."""
    exe = shutil.which("tongwei", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "tongwei_cli"]


@pytest.fixture
def sh(db_path):
    """Runs the installed `tongwei` in a subprocess with a clean environment."""

    def call(*args: str, input: str | None = None, env: dict | None = None,
             cwd: Path | None = None):
        environment = {k: v for k, v in os.environ.items() if not k.startswith("TONGWEI_")}
        environment.update({"TONGWEI_DB": str(db_path), "TONGWEI_OFFICER": OFFICER,
                            "TONGWEI_LANG": "en", "COLUMNS": "200"})
        environment.update(env or {})
        # stdin is never the terminal pytest runs in: a script has none to give.
        return subprocess.run([*tongwei_exe(), *map(str, args)], capture_output=True,
                              text=True, input=input if input is not None else "",
                              env=environment, cwd=cwd, timeout=120)

    return call


def unchecked_write(path: Path, *statements: str) -> None:
    """Run raw SQL through tongwei's own connection, with the key and an audit row, to
    plant a record that breaks a rule of `tongwei check`. (The same statement typed into
    the sqlite3 shell is refused -- "no such function: tw_dirty" -- or, with the triggers
    dropped, named by `check` as a record changed without an audit row.)"""
    handle = open_db(settings.current(), path)
    try:
        with handle.write():
            for sql in statements:
                handle.conn.execute(sql)
            handle.audit("test", "planted")
    finally:
        handle.close()


@contextmanager
def using_key_file(key: Path) -> Iterator[None]:
    """`TONGWEI_KEY_FILE` set to `key` while a module-wide fixture makes its file
    (monkeypatch is a test's own), then as it was."""
    saved = os.environ.get("TONGWEI_KEY_FILE")
    os.environ["TONGWEI_KEY_FILE"] = str(key)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("TONGWEI_KEY_FILE", None)
        else:
            os.environ["TONGWEI_KEY_FILE"] = saved


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """`path` (a file, or a folder: nothing made in it) unwritable even for root, as on a
    write-protected medium (`chattr +i`), else by its mode bits; the test is skipped where
    neither can be done."""
    if os.geteuid() == 0:
        if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(path)],
                                                        capture_output=True).returncode:
            pytest.skip("cannot make a file read-only for root here (no chattr +i)")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], capture_output=True)
    else:
        mode = path.stat().st_mode
        os.chmod(path, 0o500 if path.is_dir() else 0o400)
        try:
            yield
        finally:
            os.chmod(path, mode)


def days_ago(n: int) -> str:
    """A local date n days before today, as YYYY-MM-DD."""
    from zoneinfo import ZoneInfo

    return (clock.today(ZoneInfo("Asia/Shanghai")) - timedelta(days=n)).isoformat()


def before_migration(patch: pytest.MonkeyPatch, number: str) -> None:
    """Make this process know only the migrations before `number` ("015"): the files it
    makes and opens then are as an older tongwei made them (`patch`: a monkeypatch, or
    one of its contexts)."""
    from tongwei_cli.storage import db as db_module
    from tongwei_cli.storage import migrations

    older = [n for n in db_module.migration_names() if n < number]
    patch.setattr(db_module, "migration_names", lambda: older)
    patch.setattr(migrations, "migration_names", lambda: older)
