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
