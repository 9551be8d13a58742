"""Every command is documented, as sqlite-utils' tests/test_docs.py checks its own: its
`--help` works and says what it does, every argument has help, and README.md names it.
(tests/test_cli.py checks the help of every option, an example in every command, and that
README.md names every group.)"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from typer.main import get_command

from tests.conftest import ROOT
from tests.test_cli import all_commands
from tongwei_cli.cli import app

CLICK = get_command(app)  # (built once: Typer takes a tenth of a second to build it)
COMMAND_OF = dict(all_commands())
COMMANDS = sorted(p for p in COMMAND_OF if p)
LEAVES = sorted(p for p, c in COMMAND_OF.items() if p and not getattr(c, "commands", None))

# Commands README.md does not name yet (the text to add is in the report of the branch that
# made this list); each one XPASSes -- and fails -- as soon as README.md names it: then take
# it off the list.
NOT_YET_IN_README: set[str] = set()


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_has_help_that_says_what_it_does(path):
    result = CliRunner().invoke(CLICK, [*path, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    command = COMMAND_OF[path]
    first = (command.help or "").strip().splitlines()[0]
    assert first and first.split()[0] in result.output


def test_every_argument_has_help():
    missing = [f"{' '.join(p)} {param.name}" for p, c in COMMAND_OF.items() for param in c.params
               if param.param_type_name == "argument"
               and not (getattr(param, "help", None) or "").strip()]
    assert missing == []


@pytest.mark.parametrize("path", [
    pytest.param(p, marks=pytest.mark.xfail(strict=True, reason="README.md does not name it"))
    if " ".join(p) in NOT_YET_IN_README else p for p in LEAVES], ids=" ".join)
def test_readme_names_every_command(path):
    readme = (ROOT / "README.md").read_text("utf-8")
    assert f"tongwei {' '.join(path)}" in readme


def test_the_list_of_commands_readme_lacks_names_only_commands():
    assert NOT_YET_IN_README <= {" ".join(p) for p in LEAVES}


def test_every_id_number_in_the_help_and_readme_is_one_the_command_accepts():
    """An example an officer copies must work: its resident ID numbers pass the check the
    commands apply (GB 11643 check digit, a real birth date)."""
    import re
    from zoneinfo import ZoneInfo

    from tongwei_cli.core import validate
    from tongwei_cli.core.errors import InvalidValue

    texts = [(" ".join(p) or "tongwei", c.help or "") for p, c in COMMAND_OF.items()]
    texts.append(("README.md", (ROOT / "README.md").read_text("utf-8")))
    found, refused = 0, []
    for where, text in texts:
        for number in re.findall(r"(?<!\d)\d{17}[\dX](?!\d)", text):
            found += 1
            try:
                validate.resident_id(number, "id", ZoneInfo("Asia/Shanghai"))
            except InvalidValue as exc:
                refused.append((where, number, exc.reason))
    assert found and refused == []


# -- every example runs -------------------------------------------------------------------
#
# What an officer copies -- each `Example:`/`Examples:` of every `--help` (示例： under
# `--lang zh`) and each `tongwei …` line of README.md's code blocks -- runs, as sqlite-utils
# keeps its documented examples honest: on a copy of the sample data (`tongwei demo`), exit
# status 0. A command an example leaves off is not run (`lp`, `shred`, `mail`, `echo`). The
# few things an example takes as given are made by the test: an import's file (from
# data/sample/, in the named format), the recovery sheet `db key import` reads and the
# anchors `audit verify --anchor` reads (by tongwei itself); a path under /mnt or /srv (a USB
# stick, a server folder) is a folder of the test's own.

import os  # noqa: E402
import re  # noqa: E402
import shlex  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
from functools import cache  # noqa: E402
from pathlib import Path  # noqa: E402

from tests.conftest import tongwei_exe  # noqa: E402

_HEAD = re.compile(r"^\s*(?:Examples?:|示例：)\s*(.*)$")


def examples_on(page: str) -> list[str]:
    """The example commands of a help page as a terminal shows them, each as one line: its
    paragraphs (before the first heading, Options:/选项：) that begin with
    `Example:`/`Examples:`/`示例：` or `tongwei `, a line ending in ` \\` going on on the
    next. A line of such a paragraph that is not a command stays a line of its own."""
    text = re.split(r"^\S.*[:：]$", page.split("\n", 1)[1], maxsplit=1, flags=re.M)[0]
    lines = []
    for paragraph in re.split(r"\n[ \t]*\n", text):
        rows = paragraph.strip("\n").splitlines()
        head = _HEAD.match(rows[0]) if rows else None
        if head:
            lines += [head[1], *rows[1:]]
        elif rows and rows[0].lstrip().startswith("tongwei "):
            lines += rows
        lines.append("")
    return logical_lines(lines)


def logical_lines(lines: list[str]) -> list[str]:
    out, pending = [], ""
    for line in lines:
        if not line.strip() and not pending:
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1].strip() + " "
            continue
        out.append(pending + line.strip())
        pending = ""
    return [line for line in out if line]


@cache
def help_examples() -> dict[tuple[str, tuple[str, ...]], list[str]]:
    """(language, command path) -> the examples its `--help` shows, at 80 columns."""
    trees = {"en": get_command(app), "zh": get_command(app)}
    found = {}
    for lang, tree in trees.items():
        for path in [(), *COMMANDS]:
            result = CliRunner().invoke(tree, ["--lang", lang, *path, "--help"],
                                        terminal_width=80)
            assert result.exit_code == 0, result.output
            found[lang, path] = examples_on(result.output)
    return found


def readme_lines() -> list[str]:
    """The command lines of README.md's shell code blocks, in order."""
    readme = (ROOT / "README.md").read_text("utf-8")
    lines = []
    for language, body in re.findall(r"^```(\w*)\n(.*?)^```", readme, re.M | re.S):
        if language in ("sh", "bash", ""):
            lines += logical_lines(body.splitlines())
    return [line for line in lines if calls(line)]


def calls(line: str) -> list[tuple[dict[str, str], list[str]]]:
    """The `tongwei` commands of a shell line ((environment, arguments) each), split at
    `&&`, `||`, `;` and `|`; comments dropped."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    found, segment = [], []
    for token in [*lexer, ";"]:
        if token not in (";", "&&", "||", "|", "&"):
            segment.append(token)
            continue
        env = {}
        while segment and re.match(r"^[A-Z_]+=", segment[0]):
            name, _, value = segment.pop(0).partition("=")
            env[name] = value
        if segment and Path(segment[0]).name == "tongwei":
            found.append((env, segment[1:]))
        segment = []
    return found


def all_help_examples() -> list[tuple[str, str]]:
    """(command, example) for every example of every help page, once."""
    return [(" ".join(path) or "tongwei", line)
            for (lang, path), lines in help_examples().items() if lang == "en"
            for line in lines]


def pages_with_examples() -> list[tuple[str, list[str]]]:
    """(command, its examples) for every help page (the Chinese page shows the same ones:
    `test_every_command_shows_the_same_examples_in_chinese`)."""
    return [(" ".join(path) or "tongwei", lines)
            for (lang, path), lines in help_examples().items() if lang == "en" and lines]


def test_every_help_example_is_a_whole_command_line():
    """Shown verbatim: an example re-wrapped by the help page is two lines, and pasting
    them runs half a command."""
    broken = [(lang, " ".join(path), line) for (lang, path), lines in help_examples().items()
              for line in lines if not calls(line)]
    assert broken == []


def test_every_command_shows_the_same_examples_in_chinese():
    examples = help_examples()
    differ = [" ".join(path) for (lang, path), lines in examples.items()
              if lang == "en" and examples["zh", path] != lines]
    assert differ == []


def test_no_example_has_a_placeholder():
    """An example is copied as it is: real values, not FILE or CASE_NO."""
    lines = [line for _, line in all_help_examples()] + readme_lines()
    assert [line for line in lines for _, args in calls(line) for arg in args
            if re.search(r"^[A-Z][A-Z_]{2,}$|…", arg)] == []


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The sample data (`tongwei demo`) built once, its key file beside it."""
    folder = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGWEI_")}
    env.update({"TONGWEI_LANG": "en", "TONGWEI_OFFICER": "测试警官",
                "TONGWEI_KEY_FILE": str(folder / "demo.key")})
    result = subprocess.run([*tongwei_exe(), "--db", str(folder / "demo.db"), "demo"],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    return folder


@pytest.fixture
def desk(demo, tmp_path, monkeypatch) -> Path:
    """An officer's folder holding a fresh copy of the sample data (demo.db, the database
    of every command here) and its key."""
    folder = tmp_path / "desk"
    folder.mkdir()
    for name in ("demo.db", "demo.db-wal", "demo.key"):
        if (demo / name).exists():
            shutil.copy2(demo / name, folder / name)
    monkeypatch.chdir(folder)
    monkeypatch.setenv("TONGWEI_DB", "demo.db")
    monkeypatch.setenv("TONGWEI_KEY_FILE", str(folder / "demo.key"))
    return folder


SAMPLE = ROOT / "data" / "sample"


def given(args: list[str], run) -> list[str]:
    """What an example takes as given made (see above); returns its arguments with a path
    under /mnt or /srv moved into the test's folder."""
    args = [arg[1:] if arg.startswith(("/mnt/", "/srv/")) else arg for arg in args]
    for arg in args:
        if "/" in arg and not arg.startswith("-"):
            Path(arg).parent.mkdir(parents=True, exist_ok=True)
    words = [a for a in args if not a.startswith("-")]
    if words[:1] == ["import"] and len(words) >= 3 and not Path(words[2]).exists():
        make_import_file(words[1], Path(words[2]))
    if words[:3] == ["db", "key", "import"] and not Path(words[3]).exists():
        run("db", "key", "export", "-o", words[3])
    if "--anchor" in args and not Path(args[args.index("--anchor") + 1]).exists():
        run("audit", "anchor", "-o", args[args.index("--anchor") + 1])
    return args


def make_import_file(kind: str, path: Path) -> None:
    """The sample file of `kind` saved as `path` (CSV, or a spreadsheet for .xlsx)."""
    source = SAMPLE / f"{kind}.csv"
    if path.suffix == ".xlsx":
        import csv

        from openpyxl import Workbook

        book = Workbook()
        with source.open(encoding="utf-8-sig", newline="") as rows:
            for row in csv.reader(rows):
                book.active.append(row)
        book.save(path)
    else:
        shutil.copy(source, path)


def pdf_missing() -> str | None:
    """Why this machine cannot print a PDF (README: WeasyPrint needs Pango and a Chinese
    font), or None."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        return str(exc)
    fc_list = shutil.which("fc-list")
    if fc_list and not subprocess.run([fc_list, ":lang=zh"], capture_output=True,
                                      text=True).stdout.strip():
        return "no Chinese font"
    return None


def run_line(line: str, run) -> list[str]:
    """Run the tongwei commands of one example line; what went wrong, if anything. A PDF
    on a machine without what README says PDF needs ends in its documented one line."""
    failed = []
    for env, args in calls(line):
        args = given(args, run)
        result = run.invoke(args, env=env, catch_exceptions=True)
        if result.exit_code == 0:
            continue
        pdf = any(a.endswith(".pdf") for a in args) or "pdf" in args
        if pdf and result.exit_code == 1 and pdf_missing() and "apt-get install" in result.stderr:
            continue
        crash = result.exception if not isinstance(result.exception, SystemExit) else None
        failed.append(f"{line}\n  -> exit {result.exit_code}: "
                      f"{(result.stderr or result.stdout).strip()[-500:]} {crash or ''}")
    return failed


@pytest.mark.slow
@pytest.mark.parametrize(("where", "lines"), pages_with_examples(),
                         ids=[where for where, _ in pages_with_examples()])
def test_every_help_example_runs(where, lines, desk, run):
    """Each help page's examples, in the order shown, on a fresh copy of the sample data."""
    failed = []
    for line in lines:
        failed += run_line(line, run)
    assert not failed, "\n".join(failed)


@pytest.mark.slow
def test_every_readme_command_runs_in_order(desk, run):
    """README.md read as an officer works through it, top to bottom, on one file."""
    failed = []
    for line in readme_lines():
        failed += run_line(line, run)
    assert not failed, "\n".join(failed)
