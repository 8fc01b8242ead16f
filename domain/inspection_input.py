"""What 两随机一公开's commands take in, checked before it becomes an event: a date, a
text published as written, a bounded count, a public value's format (a regular
expression in a small grammar every match finishes quickly in)."""

from __future__ import annotations

import re
from datetime import date, datetime

from domain.errors import InvalidInput
from domain.limits import check_year
from domain.masking import mask_numbers

MAX_PATTERN_LEN = 100
MAX_RANGE = 10  # the widest {n,m} a format may use
MAX_VARIABLE = 3  # quantifiers whose count varies (?, *, +, {n,m}), in the whole format


def parse_date(value: object, what_zh: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            raise InvalidInput(
                "invalid_date",
                f"{what_zh}应为 YYYY-MM-DD 格式的日期",
                f"{what_zh}: a YYYY-MM-DD date",
            ) from None
    check_year(day, what_zh)
    return day


_TOKEN = re.compile(
    r"\\[dDsSwW.+*?(){}\[\]|\\^$ \-/:]"  # an escape: \d, \s, \+, \. …
    r"|\[(?:\\.|[^\]\\])+\]"  # a character class [0-9], [A-Z,]
    r"|\{(\d{1,3})(?:(,)(\d{1,3})?)?\}"  # {n}, {n,}, {n,m}
    r"|[?*+()]"
    r"|[^\\\[\]{}()?*+|^$.]"  # a literal character
)


def check_pattern(pattern: str) -> None:
    """A public value's format, in a small grammar that every match finishes quickly
    in, on any input: characters, escapes (\\d, \\+ …) and classes ([0-9]), each
    repeated {n}, {n,m} (m − n ≤ 10), ?, * or +; groups without groups inside,
    repeated only a fixed number of times ({n}) or made optional (?), holding only
    fixed counts; at most three counts that vary; no alternation (|), no
    back-references, no look-arounds. 双色球 is \\d{2}( \\d{2}){5} \\+ \\d{2}."""

    def unsafe() -> InvalidInput:
        return InvalidInput(
            "public_value_pattern_unsafe",
            f"公开数值格式应简单明确（不超过 {MAX_PATTERN_LEN} 个字符；只用字符、\\d 等、[…]，"
            "以 {n}、{n,m}、?、*、+ 计数；括号内只用固定次数，括号只可 {n} 或 ?；"
            f"可变次数最多 {MAX_VARIABLE} 处；不用 |），"
            "如 \\d{2}( \\d{2}){5} \\+ \\d{2}",
            "keep the format in the simple grammar: no alternation, no nested or repeated "
            "variable counts",
        )

    if len(pattern) > MAX_PATTERN_LEN:
        raise unsafe()
    depth, variable, at = 0, 0, 0
    previous = ""  # what the last token was: atom, group (closed), quantifier or open
    while at < len(pattern):
        found = _TOKEN.match(pattern, at)
        if found is None:
            raise unsafe()
        token = found.group()
        at = found.end()
        if token == "(":
            if depth:
                raise unsafe()
            depth, previous = 1, "open"
        elif token == ")":
            if not depth or previous == "open":
                raise unsafe()
            depth, previous = 0, "group"
        elif token in ("?", "*", "+") or token.startswith("{"):
            if previous not in ("atom", "group"):
                raise unsafe()
            low, comma, high = found.group(1), found.group(2), found.group(3)
            fixed = token.startswith("{") and not comma
            if (
                token.startswith("{")
                and comma
                and high is not None
                and (int(high) < int(low) or int(high) - int(low) > MAX_RANGE)
            ):
                raise unsafe()
            unbounded = token in ("*", "+") or (comma is not None and high is None)
            if not fixed:
                variable += 1
            if depth and not fixed:  # inside a group: fixed counts only
                raise unsafe()
            if previous == "group" and not (fixed or token == "?"):
                raise unsafe()
            if unbounded and previous == "group":
                raise unsafe()
            previous = "quantifier"
        else:
            previous = "atom"
    if depth or variable > MAX_VARIABLE:
        raise unsafe()
    try:
        re.compile(pattern)
    except re.error:
        raise unsafe() from None


def public_text(text: str, what_zh: str) -> str:
    """Text that is published as written (the plan's document is hashed and shown whole,
    so it cannot be masked afterwards): refused if it holds what the masking rule
    recognises without guessing: phones, ID and bank numbers, accounts, e-mail."""
    if mask_numbers(text) != text:
        raise InvalidInput(
            "personal_data_in_public_text",
            f"{what_zh}会原样公开，不能含有电话、证件号、银行卡号或邮箱",
            "this text is published as written: no phone, ID or bank number, no e-mail",
        )
    return text


def check_count(value: object, what_zh: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(
            "invalid_number",
            f"{what_zh}应为 {low} 到 {high} 之间的整数",
            f"{what_zh}: an integer {low}-{high}",
        )
    return value
