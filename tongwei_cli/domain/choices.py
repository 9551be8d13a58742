"""Choosing a code from a list: the one way every list value is taken.

A fraud type, a station, an event kind, a status, a follow-up's outcome, a card action's
kind, a stored institution's name: wherever a command or an import takes a value from a
list, `Choices` finds the code, trying in turn

1. the code, the English name or the Chinese name (NFKC, case-blind, `_` = `-`);
2. an alias from `data/aliases.csv` (`list,alias,code`: 杀猪盘 -> romance), which the centre
   extends as it meets the words officers and the platform use;
3. a unique prefix of a code or name (`平襄` -> 平襄派出所, `stop` -> stop-payment);
4. for Chinese, a unique part of a name (`学生` -> 在校学生).

Two or more matches are refused naming them; no match is refused suggesting the nearest
(`平湘`: did you mean 平襄派出所?) before listing every valid value.

An import asks for a hundred thousand rows: every answer, code or refusal, is remembered per
list, so a repeat is one dict look-up. The alias file is read once per process, when first
needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from tongwei_cli.core import validate
from tongwei_cli.core.errors import InvalidValue
from tongwei_cli.core.settings import data_dir

__all__ = ["ALIASES_FILE", "Choices", "alias_problems", "aliases", "choose", "norm"]

ALIASES_FILE = "aliases.csv"
REMEMBERED = 10_000  # answers remembered per list
SUGGESTED = 3  # near misses named at most
SUGGEST_FOR = 100  # distinct unknown values per list given suggestions (a bad file's
# column of phone numbers must not cost a difflib search per row; only 20 rows are shown)
CLOSE = 0.1  # suggested with the nearest: those within this of its score
LISTED = 30  # beyond this many values, `listing` (a hint) stands in for the whole list


def norm(value: Any) -> str:
    """The form values are compared in: NFKC, blanks collapsed, case-blind, `_` = `-`."""
    return " ".join(validate.text(value).split()).casefold().replace("_", "-")


# -- data/aliases.csv ---------------------------------------------------------------

def _rows(path: Path) -> Iterator[tuple[int, str, str, str]]:
    """`(line, list, alias, code)` of each row of an aliases file (UTF-8, with or without
    the BOM Excel writes), numbered as `csv.DictReader` numbers them (blank rows skipped), a
    missing cell blank. (`csv.reader` over the decoded text: a DictReader and the utf-8-sig
    codec cost a millisecond more on every command that takes a value from a list.)"""
    import csv
    import io

    text = path.read_bytes().removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    width = len(header)
    where = {name: i for i, name in enumerate(header)}  # (a repeated name: its last)
    at_list, at_alias, at_code = (where.get(name, width) for name in ("list", "alias", "code"))
    for line, row in enumerate((r for r in reader if r), 2):
        row += [""] * (width + 1 - len(row))
        yield line, row[at_list], row[at_alias], row[at_code]


class AliasFile:
    """An aliases file: `list -> alias (normalised) -> (code, line)`. Rows whose list
    starts with `#` are comments; the first row of an alias wins (`alias_problems` names
    any later one that says otherwise). A list's aliases are normalised when it is first
    asked for: a command that takes a station pays for the stations' aliases only."""

    def __init__(self, path: Path):
        self._rows: dict[str, list[tuple[int, str, str]]] = {}
        self._lists: dict[str, dict[str, tuple[str, int]]] = {}
        if path.exists():
            for line, which, alias, code in _rows(path):
                which = which.strip()
                if which and not which.startswith("#"):
                    self._rows.setdefault(which, []).append((line, alias, code))

    def of(self, list_name: str) -> dict[str, tuple[str, int]]:
        found = self._lists.get(list_name)
        if found is None:
            found = self._lists[list_name] = {}
            for line, alias, code in self._rows.get(list_name, ()):
                alias, code = norm(alias), code.strip()
                if alias and code:
                    found.setdefault(alias, (code, line))
        return found


_ALIASES: AliasFile | None = None


def aliases(list_name: str) -> dict[str, tuple[str, int]]:
    """The aliases of one list from `data/aliases.csv` (read once per process)."""
    global _ALIASES
    if _ALIASES is None:
        _ALIASES = AliasFile(data_dir() / ALIASES_FILE)
    return _ALIASES.of(list_name)


def alias_problems(lists: Mapping[str, Iterable[str]], path: Path | None = None) -> list[str]:
    """What is wrong in an aliases file, given each list's codes: a list that does not
    exist, a code not in its list, an alias given twice with different codes."""
    path = path or data_dir() / ALIASES_FILE
    problems = []
    seen: dict[tuple[str, str], str] = {}
    if not path.exists():
        return problems
    for line, which, alias, code in _rows(path):
        which, alias, code = which.strip(), norm(alias), code.strip()
        if not which or which.startswith("#"):
            continue
        where = f"{path.name} line {line}"
        if not alias or not code:
            problems.append(f"{where}: needs a list, an alias and a code")
        elif which not in lists:
            problems.append(f"{where}: no list named {which!r} "
                            f"(lists: {', '.join(sorted(lists))})")
        elif code not in set(lists[which]):
            problems.append(f"{where}: {code!r} is not a code of {which}")
        elif seen.setdefault((which, alias), code) != code:
            problems.append(f"{where}: {alias!r} is already an alias of "
                            f"{seen[(which, alias)]!r} in {which}")
    return problems


# -- the chooser ----------------------------------------------------------------------

class Choices:
    """One list of values: `options` is code -> (Chinese name, English name) in the order
    they are shown; `list_name` names its aliases in `data/aliases.csv`; `noun` is what a
    message calls one value (`station`, `event`). Call it with a value and the field it came
    from: the code, or `InvalidValue` on that field."""

    def __init__(self, list_name: str, options: Mapping[str, tuple[str, str]], noun: str, *,
                 listing: str | None = None):
        self.list_name = list_name
        self.source = options  # (as given: `choose` knows it again by identity)
        self.options = dict(options)
        self.noun = noun
        self.listing = listing
        # Values as given -> code: the codes themselves, then every answer found.
        self.known: dict[str, str] = {code: code for code in self.options}
        self._refused: dict[str, str] = {}  # value as given -> the reason it was refused
        self._suggested = 0
        self._index: tuple[dict[str, str], dict[str, tuple[str, int]],
                           list[list[tuple[str, str]]], list[tuple[str, str]]] | None = None

    def __call__(self, value: Any, field: str) -> str:
        if type(value) is str:  # a repeat: one look-up
            code = self.known.get(value)
            if code is not None:
                return code
            reason = self._refused.get(value)
            if reason is not None:
                raise InvalidValue(reason, field)
        code, reason = self._pick(value)
        if type(value) is str:
            if reason is None and len(self.known) < REMEMBERED:
                self.known[value] = code
            elif reason is not None and len(self._refused) < REMEMBERED:
                self._refused[value] = reason
        if reason is not None:
            raise InvalidValue(reason, field)
        return code

    # -- the look-up ---------------------------------------------------------------

    def _built(self) -> tuple[dict[str, str], dict[str, tuple[str, int]],
                              list[list[tuple[str, str]]], list[tuple[str, str]]]:
        """Built on the first value that is not a code: the exact names, the aliases, the
        tiers of (name, code) searched in turn for a prefix or a part (the names before the
        aliases, so that an alias never makes a name's prefix ambiguous), and every name
        and alias (for near misses)."""
        if self._index is None:
            exact: dict[str, str] = {}
            for code in self.options:
                exact.setdefault(norm(code), code)
            for code, (zh, en) in self.options.items():
                for name in (zh, en):
                    exact.setdefault(norm(name), code)
            names = [(n, code) for code, (zh, en) in self.options.items()
                     for n in dict.fromkeys((norm(code), norm(en), norm(zh))) if n]
            known = aliases(self.list_name)
            others = [(alias, code) for alias, (code, _) in known.items()
                      if code in self.options]
            tiers = [names, others, [(n, c) for n, c in names if not n.isascii()],
                     [(n, c) for n, c in others if not n.isascii()]]
            self._index = (exact, known, tiers, names + others)
        return self._index

    def _pick(self, value: Any) -> tuple[str, str | None]:
        raw = validate.text(value)
        wanted = norm(raw)
        if not wanted:
            return "", f"is required; {self.valid_tail()}"
        exact, known, tiers, _ = self._built()
        code = exact.get(wanted)
        if code is not None:
            return code, None
        alias = known.get(wanted)
        if alias is not None:
            code, line = alias
            if code not in self.options:
                return "", (f"{raw!r} stands for {code!r} in {ALIASES_FILE} (line {line}), "
                            f"which is no {self.noun}; {self.valid_tail()}")
            return code, None
        hits: set[str] = set()
        for tier, names in enumerate(tiers):
            if tier < 2:
                hits = {code for name, code in names if name.startswith(wanted)}
            elif not wanted.isascii():  # a part: Chinese only (`ag` is in too many words)
                hits = {code for name, code in names if wanted in name}
            if hits:
                break
        if len(hits) == 1:
            return hits.pop(), None
        if hits:
            shown = ", ".join(self.shown(code) for code in self.options if code in hits)
            return "", f"{raw!r} matches more than one {self.noun}: {shown}"
        near = self.nearest(wanted)
        guess = ""
        if near:
            said = [self.options[c][0] if not wanted.isascii() else c for c in near]
            guess = f"did you mean {' or '.join(said)}? "
        return "", f"unknown {self.noun} {raw!r}; {guess}{self.valid_tail()}"

    def nearest(self, wanted: str) -> list[str]:
        """Up to three codes whose names are nearest `wanted` (normalised), best first.
        A Chinese value is compared with each name and with the name's beginning of the same
        length (平湘 ~ 平襄派出所: 0.5)."""
        import difflib

        if self._suggested >= SUGGEST_FOR:
            return []
        self._suggested += 1
        chinese = not wanted.isascii()
        cutoff = 0.5 if chinese else 0.6
        score: dict[str, float] = {}
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(wanted)
        for name, code in self._built()[3]:
            candidates = [name]
            if chinese and len(name) > len(wanted):
                candidates.append(name[:len(wanted)])
            for text in candidates:
                matcher.set_seq1(text)
                if (matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff
                        and (ratio := matcher.ratio()) >= cutoff):
                    score[code] = max(score.get(code, 0.0), ratio)
        order = {code: i for i, code in enumerate(self.options)}
        ranked = sorted(score, key=lambda c: (-score[c], order[c]))
        # Those nearly as near as the nearest (dissauded: dissuaded, not defrauded); none
        # that is only as near as one left out (某某派出所 is as near every station).
        best = [c for c in ranked[:SUGGESTED] if score[c] >= score[ranked[0]] - CLOSE]
        if len(ranked) > SUGGESTED:
            best = [c for c in best if score[c] > score[ranked[SUGGESTED]]]
        return best

    # -- what messages show ----------------------------------------------------------

    def shown(self, code: str) -> str:
        """`pingxiang 平襄派出所`; a list whose codes are its names shows the name."""
        zh = self.options[code][0]
        return code if zh == code else f"{code} {zh}"

    def valid(self) -> str:
        return ", ".join(self.shown(code) for code in self.options)

    def valid_tail(self) -> str:
        if self.listing and len(self.options) > LISTED:
            return self.listing
        if not self.options:
            return self.listing or "there are none yet"
        return f"valid: {self.valid()}"


_CHOICES: dict[str, Choices] = {}


def choose(value: Any, options: Mapping[str, tuple[str, str]], *, list_name: str, noun: str,
           field: str) -> str:
    """`Choices(list_name, options, noun)(value, field)`, the chooser kept per list (and
    made again when the list's options change)."""
    found = _CHOICES.get(list_name)
    if found is None or (found.source is not options and found.options != options):
        found = _CHOICES[list_name] = Choices(list_name, options, noun)
    return found(value, field)
