"""Who is working, where the file is, which language and which time zone.

Set once by the root command from options and environment; read by the rest.
"""

from __future__ import annotations

import os
import sys
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tongwei_cli.core.errors import InvalidValue

APP_NAME = "tongwei"
COUNTY = "通渭县"  # the county whose desk this is, unless TONGWEI_COUNTY says otherwise


def data_dir() -> Path:
    """`tongwei_cli/data` in an installed wheel, else the repository's `data/`."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "data"
    return packaged if packaged.is_dir() else package.parent / "data"


def default_db_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / "tongwei.db"


def config_dir() -> Path:
    """The per-user config folder, `platformdirs.user_config_path("tongwei")`: where the
    databases' keys are kept, apart from the data. On Linux and the BSDs that is
    `$XDG_CONFIG_HOME/tongwei`, else `~/.config/tongwei`, worked out here without loading
    platformdirs (every write looks for its key)."""
    if os.name == "posix" and sys.platform != "darwin":
        base = os.environ.get("XDG_CONFIG_HOME", "")
        if not base.strip():
            base = os.path.expanduser("~/.config")
        return Path(base) / APP_NAME
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


def key_file_setting() -> Path | None:
    """`TONGWEI_KEY_FILE`: one key file, shared or on a stick, instead of the per-user
    folder of key files (`config_dir()/keys`)."""
    chosen = os.environ.get("TONGWEI_KEY_FILE")
    return Path(chosen).expanduser() if chosen else None


def default_lang() -> str:
    explicit = os.environ.get("TONGWEI_LANG")
    if explicit:
        return explicit
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def default_officer() -> str:
    explicit = os.environ.get("TONGWEI_OFFICER")
    if explicit:
        return explicit
    import getpass  # (only without $TONGWEI_OFFICER: it loads termios)

    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


class Settings:
    """The settings of one run: the root options, else the environment. (A plain class, as
    in `storage.keys`: every command makes one, and a dataclass costs start-up time.)"""

    def __init__(self, db: str | None = None, officer: str | None = None,
                 lang: str | None = None, tz_name: str | None = None, reveal: bool = False,
                 county: str | None = None):
        self.db = db
        self.reveal = reveal
        self.lang = default_lang() if lang is None else lang
        if self.lang not in ("zh", "en"):
            raise InvalidValue(f"must be zh or en, not {self.lang!r}", "lang")
        self.officer = (officer or default_officer()).strip()
        if not self.officer:
            raise InvalidValue("must not be empty", "officer")
        if tz_name is None:
            tz_name = os.environ.get("TONGWEI_TZ") or "Asia/Shanghai"
        self.tz_name = tz_name
        if county is None:
            # The county's name, as exports write it on every row (a province's warehouse
            # keeps many counties' exports side by side): $TONGWEI_COUNTY, else 通渭县.
            county = (os.environ.get("TONGWEI_COUNTY") or "").strip() or COUNTY
        self.county = county

    @cached_property
    def tz(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.tz_name or "Asia/Shanghai")
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidValue(f"unknown time zone {self.tz_name!r}", "TONGWEI_TZ") from None

    @property
    def db_path(self) -> Path:
        chosen = self.db or os.environ.get("TONGWEI_DB")
        return Path(chosen).expanduser() if chosen else default_db_path()


_current: Settings | None = None


def current() -> Settings:
    global _current
    if _current is None:
        _current = Settings()
    return _current


def install(settings: Settings) -> Settings:
    global _current
    _current = settings
    return settings
