"""The command tree in Chinese: every help text, the help page's own words, Click's messages.

Imported only when the run's language is zh (`commands.TongweiGroup.make_context`, before
the command line is parsed): the built tree's help texts are replaced by their Chinese
(`core.words.help_chinese`), each command formats its help with `ChineseFormatter` (用法：,
选项：, text wrapped by display width), and a usage error is shown in Chinese
(`show_in_chinese`). Option names, metavars and example commands stay as they are.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from typing import Any

from tongwei_cli.commands.click_api import Context, HelpFormatter, NoArgsIsHelpError, echo
from tongwei_cli.core.words import error_line, help_chinese, localise

# -- the tree ---------------------------------------------------------------------------


def localise_command(command: Any, texts: bool = True) -> None:
    """Put `command` and everything under it into Chinese, in place: the help page's own
    words, the usage line and Click's messages (`ChineseContext`), and with `texts` every
    help text (a help text with no Chinese yet stays English: `tests/test_zh.py` names it).
    Without `texts` (a run that shows no help), the first help page asked for translates
    them (`ChineseContext.get_help`): a command that only does its work loads no catalogue."""
    _typer_gettext()
    _contexts(command)
    if texts:
        localise_texts(command)


def _contexts(command: Any) -> None:
    command.context_class = ChineseContext
    for sub in getattr(command, "commands", {}).values():
        _contexts(sub)


def localise_texts(command: Any) -> None:
    """Every help text of `command` and everything under it in Chinese (once)."""
    if getattr(command, "tongwei_zh", False):
        return
    command.tongwei_zh = True
    if command.help:
        zh = help_chinese(command.help)
        if zh is not None:
            command.help = zh
            if not command.short_help:
                command.short_help = first_sentence(zh)
    if command.short_help:
        command.short_help = help_chinese(command.short_help) or command.short_help
    for param in command.params:
        if getattr(param, "help", None):
            param.help = help_chinese(param.help) or param.help
    for sub in getattr(command, "commands", {}).values():
        localise_texts(sub)


def first_sentence(text: str) -> str:
    """What a command list shows of a command: its help up to the first 。"""
    paragraph = text.split("\n\n", 1)[0]
    return paragraph.split("。", 1)[0].strip()


def _typer_gettext() -> None:
    """Typer's own few words go through gettext (`typer.core._`: "Aborted!" after Ctrl-D at
    a prompt): in Chinese while the run is."""
    import typer.core

    if getattr(typer.core._, "tongwei", False):
        return
    english = typer.core._

    def gettext(message: str) -> str:
        from tongwei_cli.commands import run_language

        return localise(message, "zh") if run_language() == "zh" else english(message)

    gettext.tongwei = True  # type: ignore[attr-defined]
    typer.core._ = gettext


# -- usage errors --------------------------------------------------------------------


def show_in_chinese(exc: Any) -> None:
    """Make Click's usage error `exc` show itself in Chinese: the usage line (用法：), the
    hint, and `错误：` with the message (缺少选项 '--loss'。); exit status unchanged."""
    if isinstance(exc, NoArgsIsHelpError) or getattr(exc, "tongwei_zh", False):
        return  # the help page: already Chinese

    def show(file: Any = None) -> None:
        out = file if file is not None else sys.stderr
        ctx = getattr(exc, "ctx", None)
        if ctx is not None:
            hint = ""
            if ctx.command.get_help_option(ctx) is not None:
                hint = localise(f"Try '{ctx.command_path} {ctx.help_option_names[0]}' for "
                                "help.", "zh") + "\n"
            echo(f"{ctx.get_usage()}\n{hint}", file=out, color=ctx.color)
        echo(error_line(exc.format_message(), language="zh"), file=out)

    exc.show = show
    exc.tongwei_zh = True


# -- the help page --------------------------------------------------------------------


def width(text: str) -> int:
    """Columns `text` takes on a terminal: two for each wide (CJK) character."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# Punctuation that never starts a line (it stays after the character before it).
_CLOSING = set("，。；：、）》」』！？”’…%")
# (The ranges as text: compiling them costs milliseconds, which only a help page pays, in
# `fill`'s pattern.)
_WIDE = (r"\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f"
         r"\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd")


def fill(text: str, columns: int, initial: str = "", subsequent: str = "") -> str:
    """One paragraph wrapped to `columns` terminal columns: a line may break between two
    Chinese characters or at a space, never before closing punctuation."""
    tokens = re.findall(rf"\s+|[{_WIDE}]|[^\s{_WIDE}]+", text)
    lines: list[str] = []
    line, used, space = initial, width(initial), False
    for token in tokens:
        if token.isspace():
            space = True
            continue
        gap = space and line.strip() and line[-1] not in _CLOSING  # none after ，。：
        piece = (" " if gap else "") + token
        space = False
        if used + width(piece) > columns and line.strip() and token not in _CLOSING:
            lines.append(line.rstrip())
            line, used = subsequent + token, width(subsequent) + width(token)
            continue
        line += piece
        used += width(piece)
    lines.append(line.rstrip())
    return "\n".join(lines)


def wrap_text(text: str, columns: int, initial: str = "", subsequent: str = "") -> str:
    """Click's `wrap_text(…, preserve_paragraphs=True)` by display width: paragraphs kept,
    each re-wrapped with the indentation of its first line; example commands kept as they
    are (`commands.is_example`)."""
    from tongwei_cli.commands import is_example

    out = []
    for paragraph in re.split(r"\n[ \t]*\n", text.expandtabs()):
        lines = paragraph.split("\n")
        if is_example(paragraph):  # example commands: line for line, as typed
            out.append("\n".join(initial + line.rstrip() for line in lines))
            continue
        indent = " " * (len(lines[0]) - len(lines[0].lstrip()))
        joined = " ".join(line.strip() for line in lines)
        out.append(fill(joined, columns, initial + indent, subsequent + indent))
    return "\n\n".join(out)


class ChineseFormatter(HelpFormatter):
    """Click's help formatter in Chinese: 用法：, 选项：/参数：/命令：, a definition's extras
    ([必填], [默认：1]), and text wrapped by display width."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, localise("Usage:", "zh") if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{localise(heading, 'zh')}：\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        self.write(wrap_text(text, self.width, indent, indent))
        self.write("\n")

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = [(first, _definition(second)) for first, second in rows]
        first_col = min(max((width(first) for first, _ in rows), default=0), col_max)
        first_col += col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - width(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = wrap_text(second, max(self.width - first_col - 2, 10)).splitlines()
            self.write(f"{lines[0] if lines else ''}\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n")


_EXTRAS = re.compile(r"^(.*?)\s*\[([^\[\]]*)\]$", re.DOTALL)


def _definition(text: str) -> str:
    """An option's help as the help page shows it: Chinese, with its extras in brackets
    (`[default: 1; required]`) in Chinese too."""
    match = _EXTRAS.match(text)
    base, extras = (match[1], match[2]) if match else (text, None)
    if base:
        base = help_chinese(base) or base
    if extras is None:
        return base
    shown = "；".join(localise(part.strip(), "zh") for part in extras.split(";"))
    return f"{base}  [{shown}]" if base else f"[{shown}]"


class ChineseContext(Context):
    formatter_class = ChineseFormatter

    def get_help(self) -> str:
        """The help page (`-h`, or a group called with no command), its texts in Chinese."""
        localise_texts(self.find_root().command)
        return super().get_help()
