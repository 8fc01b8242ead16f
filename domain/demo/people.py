"""Who the people are: Chinese names (surnames weighted as they are common, with
晋城's own) and mobile numbers, each unique within the demo."""

from __future__ import annotations

import random

# Common surnames, weighted roughly by how common they are (with 晋城's own: 郭 牛 申 焦 …).
SURNAMES = (
    ("王", 12),
    ("李", 11),
    ("张", 10),
    ("刘", 8),
    ("陈", 6),
    ("杨", 5),
    ("赵", 5),
    ("郭", 5),
    ("黄", 3),
    ("周", 3),
    ("吴", 3),
    ("徐", 3),
    ("孙", 3),
    ("胡", 2),
    ("朱", 2),
    ("高", 2),
    ("林", 2),
    ("何", 2),
    ("马", 2),
    ("罗", 2),
    ("牛", 2),
    ("申", 2),
    ("焦", 2),
    ("常", 2),
    ("秦", 2),
    ("程", 2),
    ("段", 1),
    ("卫", 1),
    ("靳", 1),
    ("贾", 1),
    ("武", 1),
    ("崔", 1),
    ("韩", 1),
    ("冯", 1),
    ("宋", 1),
    ("梁", 1),
    ("董", 1),
    ("田", 1),
    ("任", 1),
)
GIVEN_CHARS = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁浩凯俊旭晨宇建国志海文东晓亮峰瑞嘉"
    "丽敏静燕艳娟霞芳娜婷玲红梅琳雪倩慧颖佳欣瑶璐丹洁萍莉蕾楠彤晶晴"
)
MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "173",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
)
# Residents' numbers: the common prefixes of the three carriers.
RESIDENT_PHONE_PREFIXES: tuple[str, ...] = (
    *("130", "131", "132", "133", "135", "136", "137", "138", "139"),
    *("150", "151", "152", "155", "156", "158", "159"),
    *("180", "181", "182", "183", "185", "186", "187", "188", "189"),
)
GIVEN_NAME_LENGTHS = (1, 2, 2)  # a given name of one character or (more often) two


def person(rng: random.Random, taken: set[str]) -> str:
    """A name nobody in `taken` has; added to it."""
    surnames = [s for s, _ in SURNAMES]
    weights = [w for _, w in SURNAMES]
    name = ""
    while not name or name in taken:
        given = "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice(GIVEN_NAME_LENGTHS)))
        name = rng.choices(surnames, weights)[0] + given
    taken.add(name)
    return name


def phone(rng: random.Random, taken: set[str], prefixes: tuple[str, ...]) -> str:
    """A mobile number nobody in `taken` has; added to it."""
    number = ""
    while not number or number in taken:
        number = rng.choice(prefixes) + f"{rng.randrange(10**8):08d}"
    taken.add(number)
    return number
