"""种子: what a seed party's commitment and reveal must be, and a public value's
spelling (docs/draw-definition.md §3). Plain checks that `InspectionPlan.commit_seed`
and `InspectionPlan.reveal` make before they record; each raises, or returns nothing."""

from __future__ import annotations

import re
from datetime import datetime

from domain.errors import Conflict, Forbidden, InvalidInput
from domain.plan_definition import PublicValue
from replay import draw

MAX_CONTRIBUTION = 200
PUBLIC_PARTY = "public"  # the party of a public value's reveal


def check_commitment(commitment_hex: str) -> None:
    if not isinstance(commitment_hex, str) or not draw._HEX64.fullmatch(commitment_hex):
        raise InvalidInput(
            "invalid_commitment",
            "承诺值应为 64 位小写十六进制 SHA-256",
            "a commitment is 64 lowercase hex digits (SHA-256)",
        )


def check_contribution(contribution: str) -> None:
    """The contribution is taken exactly as given (a commitment was made over exact
    bytes): padded or over-long values are refused, never trimmed."""
    if (
        not isinstance(contribution, str)
        or not 1 <= len(contribution) <= MAX_CONTRIBUTION
        or contribution != contribution.strip()
        or not contribution.isprintable()
    ):
        raise InvalidInput(
            "invalid_contribution",
            f"种子数值应为 1–{MAX_CONTRIBUTION} 个可打印字符，首尾不能有空格",
            f"a contribution is 1-{MAX_CONTRIBUTION} printable characters, no padding",
        )


def check_public_value(public: PublicValue, contribution: str, now: datetime) -> None:
    """The named value exists by now and is written exactly in the plan's format."""
    if now < public.available_after:
        raise Conflict(
            "public_value_not_yet",
            "方案指定的公开数值尚未产生",
            "the named public value does not exist yet",
        )
    pattern, example = public.written_as()
    if not re.fullmatch(pattern, contribution):
        raise InvalidInput(
            "public_value_format",
            f"公开数值须严格按方案规定的格式书写：{example}",
            f"write the public value exactly as the plan says: {pattern}",
        )


def check_opening(
    commitments: dict[str, str],
    parties: tuple[str, ...],
    party: str,
    contribution: str,
    salt: str,
) -> None:
    """A party's reveal opens its own commitment, once every party has committed; the
    salt is taken exactly as committed (never folded to lower case, never trimmed)."""
    if len(commitments) < len(parties):
        raise Conflict(
            "commitments_missing",
            "各方承诺提交齐全后才能揭示",
            "every party must commit before any reveal",
        )
    if party not in commitments:
        raise Forbidden("not_a_seed_party", f"“{party}”未提交承诺", f"{party} has not committed")
    if not isinstance(salt, str) or not draw._HEX64.fullmatch(salt):
        raise InvalidInput(
            "invalid_salt",
            "盐应为承诺时所用的 64 位十六进制数字，字母一律小写（0–9、a–f），"
            "须原样填写，不能改成大写，首尾不能有空格",
            "the salt is the 64 lowercase hex digits used for the commitment, "
            "exactly as committed: no upper case, no padding",
        )
    if not draw.opens(commitments[party], contribution, salt):
        raise InvalidInput(
            "commitment_not_opened",
            "揭示的数值或盐与承诺不符：须与承诺时逐字一致",
            "the contribution and salt do not open the commitment "
            "(they must be exactly the committed bytes)",
        )
