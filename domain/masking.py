"""The one masking rule for everything shown anonymously (public 公示 pages) or to a
unit (单位): output that must not carry residents' personal data.

Structured fields use `mask_phone` (138****1234) and `mask_name` (张*, 欧阳娜娜 → 欧***:
always the first character only, one * for every further character, a one-character
name → *). Reasons are shown as a code from `REASON_LABELS` with its Chinese label
(`reason_label`), never as the free text typed with them.

Free text (notes, descriptions, reasons typed by staff or residents) goes through
`mask_free_text`, which masks:

- mobile numbers, also written 138-0000-1234 / 138 0000 1234, with +86 or 0086, or in
  full-width or other Unicode digits → 138****1234 (prefix, first 3 and last 4 kept);
- landlines: 0356-1234567 and 0356 1234567 → 0356-******* (area code kept),
  (0356)1234567 → (0356)*******, and a 7–8 digit number right after 电话/座机/固话/手机/
  联系方式/Tel → all stars;
- ID card numbers, 18 digits (final X allowed) or old 15 digits, also with spaces:
  first 6 (region) and last 4 (last 3 of an old number) kept, the birth date never
  shown → 140525********1234;
- bank cards (16–19 digits, contiguous or in groups of four) and any other run of 15 or
  more contiguous digits: last 4 kept;
- QQ / 微信 account ids after those words; e-mail addresses → z***@qq.com;
- addresses: everything after 家住/住址/地址/住在/现住/居住在/住于 up to the next
  punctuation (地址 of an activity, unit, meeting … is a venue and left alone), after a
  plain 住 when what follows looks like an address; house numbers (3号2单元402,
  5栋1单元301室, 12号楼, 3幢, 2单元402户) together with the street or estate name right
  before them (巴公大街3号 → ***). A lone "5号" or "402户" is only masked after a street
  name, because 3月5号 is a date and 402户 a count of households;
- names: every occurrence of a name in `known_names` (names of two or more characters;
  a one-character "name" would mask every 李); a Chinese name (a common surname from
  `SURNAMES` or `COMPOUND_SURNAMES` and one or two more characters) after a cue word
  from `NAME_CUES` (群众李彤 → 群众李*); surname + form of address (张大爷 → 张**,
  王阿姨 → 王**); 老王 / 小李 → 老* / 小*.

Masked text keeps its shape (separators, the cue words, the sentence around), so it
stays readable; a masked number run keeps its kept digits only when it is the whole
run of digits, otherwise all its digits become *, so that kept digits never combine
with their neighbours into something else the next time the text is masked.

What cannot be recognised, and why:

- A name with no cue, not in `known_names` and not followed by a form of address
  ("李彤已搬走"): nothing in the text tells a name from any other two or three
  characters, so free text about a resident should not be published when it can be
  avoided (a public page shows a reason code instead). Names with a surname outside
  the list, and Latin or ethnic (·) names, are only caught through `known_names`.
- After a cue the length of the name is a guess: the surname, one character, and a
  second one unless it is a common function character (已, 的, 说, 家 …); so 李彤已搬走
  → 李*已搬走, but 李彤搬走了 → 李**走了 (one character too many is masked, never too
  few). Words that begin with a surname character (居民高兴, 群众路线, 居民马上) are
  listed in `_NOT_NAMES` and left alone; 向 and 于 are never taken as surnames after a
  cue or after 老/小 since there they are almost always prepositions.
- Party members (党员) are the service providers, whose names public pages may show:
  党员 is not a cue; 老党员 and 困难党员, who receive services, are. Staff titles
  (书记, 主任, 老师) are not forms of address here for the same reason.
- Numbers written in Chinese numerals (一三八…) or broken up by anything but single
  spaces and dashes (138.0000.1234, 138 - 0000 - 1234) are not recognised, nor are
  digits glued to further digits (a mobile number is exactly 11 digits, with +86/0086).
  Where a run of digits holds more than a number (two phones side by side, a date
  before a phone), the numbers in it are masked whole, every digit a *.
- Street names alone (巴公大街) and house numbers without a unit word are not personal
  data on their own and are not masked; only the seven characters before a street word
  are taken as its name.

Every function here is pure, total on any str (lone surrogates, control characters)
and idempotent: masking masked text changes nothing. All patterns are precompiled
(the one for `known_names` once per set of names, cached) and free of nested unbounded
repetition, so 100 kB of text is masked in well under a second.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache

from domain.actors import Role

__all__ = [
    "COMPOUND_SURNAMES",
    "NAME_CUES",
    "REASONS_FOR",
    "REASON_LABELS",
    "SURNAMES",
    "mask_free_text",
    "mask_name",
    "mask_numbers",
    "mask_phone",
    "reason_label",
]

STAR = "*"

# --- reasons ---------------------------------------------------------------------

# Public pages show one of these instead of the reason typed by staff. Codes are
# stable English snake_case; labels are Chinese and may be reworded.
REASON_LABELS: dict[str, str] = {
    "target_gone": "对象已不存在",
    "moved_away": "对象已迁出",
    "unreachable": "多次联系未果",
    "declined": "对象不愿接受",
    "conflict_of_interest": "存在利害关系",
    "illness_or_leave": "因病因事",
    "duplicate_plan": "方案重复",
    "wrong_parameters": "方案参数有误",
    "seed_not_revealed": "种子未按期揭示",
    "other": "其他",
}

# Which codes make sense where (for a form's choices and for validation).
REASONS_FOR: dict[str, tuple[str, ...]] = {
    "void": ("duplicate_plan", "wrong_parameters", "seed_not_revealed", "other"),
    "replace": ("target_gone", "moved_away", "unreachable", "declined", "other"),
    "recuse": ("conflict_of_interest", "illness_or_leave", "other"),
}


def reason_label(code: str) -> str:
    """The Chinese label of a public reason code; 其他 for a code not in the list."""
    return REASON_LABELS.get(code, REASON_LABELS["other"])


# --- character classes -------------------------------------------------------------

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# One separator allowed between the digits of a number: spaces and dashes.
_SEP = "[ \u3000\\-\u2010-\u2014\u2212\ufe63\uff0d]"
_CNUM = "[一二三四五六七八九十百零〇两]"
# Where an address after a cue word ends.
_PUNCT = "，。；！？、,.;!?：:（）()【】\\[\\]「」『』“”‘’\"'《》<>|/\\\\\n\r"

# --- surnames and cues -------------------------------------------------------------

# The most common single-character surnames (with some of 山西), minus characters that
# after a cue word are almost always something else (向, 于, 原, 单, 都, 和 …).
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许邓韩冯曹彭曾肖田董潘袁蔡蒋"
    "余杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付傅方邹熊白孟秦邱侯江尹薛闫"
    "阎段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔常汤康易乔赖文施洪辛柯庄葛牛樊温申霍"
    "殷邢耿焦祁安齐尚聂关岳兰章鲁谷卜裴包苗翟宁褚纪米梅盛柴郎鲍房左季靳刁管车连甘栗"
    "吉伍涂游邬屈饶储沙冷阮卫牟艾池晋郜宗"
)


def _words(text: str) -> tuple[str, ...]:
    """A word list written as text, one space or line break between words."""
    return tuple(text.split())


COMPOUND_SURNAMES = _words("""
欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 端木 独孤 南宫
西门 申屠 呼延 钟离 宗政 濮阳 淳于 赫连 轩辕
""")
# Surnames common enough to be called 老王 / 小李 (not 金, 钱, 康 … : 养老金, 小康).
_SHORT_FORM_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许邓韩冯曹彭曾肖田董潘袁蔡蒋"
    "余杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石贾夏付傅方邹熊白孟秦邱侯江尹薛闫段雷"
    "龙黎史陶贺毛郝顾龚邵万戴严孔常汤武牛霍"
)
# Words before a resident's name. Not 党员: members are the service providers.
NAME_CUES = _words("""
群众 居民 住户 业主 村民 租户 户主 老人 邻居 家属 求助人 求助者 受助人 联系人 申请人
当事人 患者 残疾人 低保户 困难户 老党员 困难党员 服务对象 帮扶对象 儿童 学生 姓名
""")
# Forms of address after a surname (同志 not where it starts 志愿者).
_TITLES = _words("""
老太太 老大爷 老大娘 老先生 老奶奶 老爷爷 大爷 大娘 大妈 大伯 大叔 大婶 大哥 大姐 大嫂
阿姨 阿婆 阿公 奶奶 爷爷 姥姥 姥爷 外婆 婆婆 老汉 老太 老伯 叔叔 伯伯 婶婶 婶子 嫂子
师傅 先生 女士 同志 姐 哥 叔 婶 嫂 姨 伯
""")
# Characters that end a name after a cue rather than being its last character.
_NAME_STOP = (
    "的地得了着过已说讲称表反认觉希请求提诉等和与及或跟给向对被把让叫由从到于为也都还"
    "就又再并而但却则因所家里们啊呀吗呢吧是无不没未很太最均皆共各每该此这那其之以在会"
    "要想能可去内外时号楼栋单室户同先女老师阿奶爷婆叔伯婶嫂夫妻儿父母两一"
)
# What may follow 老王 / 小李 when it is a name (otherwise 小石头, 老方法 …).
_SHORT_FORM_FOLLOW = (
    "说讲称家的和与及反已在也都又还等是对向给让把被帮来去到两一他她夫叫找问告打今昨每"
    "很不没就才刚曾经会要想能可"
)
# Words after a cue word that begin with a surname character but are not names.
_NOT_NAMES = _words("""
高兴 高龄 高度 高温 高楼 高层 高血 高空 高效 高频 高峰 高中 马上 马路 何时 何处 何种
何地 方面 方便 方式 方法 方案 方向 方可 白天 白班 白色 常年 常住 常常 常见 常用 常规
常态 常驻 安全 安置 安心 安装 安排 安居 安稳 安康 齐心 齐聚 齐全 任何 任意 任务 关心
关注 关于 关爱 关怀 关切 关系 关键 文化 文明 文艺 文件 文体 文字 路线 路面 路灯 路口
路过 路上 路段 周末 周边 周围 周岁 周一 周二 周三 周四 周五 周六 周日 周期 周到 夏季
夏天 曾经 曾多 曾向 曾在 曾于 曾来 曾到 曾反 曾表 曾是 曾有 曾被 曾因 严格 严重 申请
申报 申领 车辆 车位 车库 车棚 房屋 房子 房间 房东 房产 房租 房前 包裹 包括 米面 温暖
温度 温馨 宁可 宁愿 牛奶 毛病 毛巾 金额 金钱 钱款 钱财 石头 石板 田地 田间 管理 管道
管网 管线 管护 连续 连日 季度 游玩 游客 游览 游乐 游戏 冷暖 冷水 卫生 施工 辛苦 焦急
焦虑 尚未 尚有 尚在 尚无 尚不 纪念 纪律 储藏 储物 盛赞 顾虑 顾客 戴口 戴上 戴好 乔迁
康复 康养 易于 洪水 许多 许可 程序 程度 陆续 范围 付款 付费 郑重 谢谢 谢意 杜绝 董事
章程 左右 沙发 万余 万人 万户 万元 张贴 张罗 陈述 余下 余额 甘愿 甘心 龙头 黎明 孔洞
吉祥 柴米 宗旨 江边 武装 苗木 黄昏 黄色 林地 雷雨 孙子 孙女 晋升
""")


def _alternation(words: Iterable[str]) -> str:
    """A regex alternation of literal words, longest first."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


_SURNAME = f"(?:{_alternation(COMPOUND_SURNAMES)}|[{''.join(sorted(SURNAMES))}])"
# A name after a cue: surname, one character, a second one unless it ends the name.
_CUE_NAME = (
    f"(?!{_alternation(_NOT_NAMES)})"
    f"(?:{_alternation(COMPOUND_SURNAMES)}|[{''.join(sorted(SURNAMES - {'向', '于'}))}])"
    f"[{_HAN}](?:(?![{_NAME_STOP}])[{_HAN}])?"
)

# --- patterns ----------------------------------------------------------------------

_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+\-*@＠])(?P<local>[A-Za-z0-9._%+\-]{1,64})(?P<at>[@＠])"
    r"(?P<domain>(?:[A-Za-z0-9\-]{1,63}\.){1,8}[A-Za-z]{2,24})(?![A-Za-z0-9\-@＠])"
)
# A run of digits with single spaces or dashes between them, an ID card's X at the end.
_RUN_RE = re.compile(rf"(?<!\d)\d(?:{_SEP}?\d)*(?:[XxＸｘ](?![A-Za-zＡ-Ｚａ-ｚ]))?")
_MOBILE_DIGITS_RE = re.compile(r"(0086|86)?1[3-9]\d{9}", re.ASCII)
_ID18_RE = re.compile(
    r"[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dX]|\d{17}X",
    re.ASCII,
)
_ID15_RE = re.compile(r"[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}", re.ASCII)
_LANDLINE_DIGITS_RE = re.compile(r"0[1-9]\d{8,10}", re.ASCII)
_SPAN_MIN, _SPAN_MAX = 10, 19  # digits a recognised number spanning several groups has

_WHOLE_RUN_END = rf"(?!\d)(?!{_SEP}\d)"
_CUE_TEL_RE = re.compile(
    r"(?:电话|座机|固话|手机|联系方式|[Tt]el|TEL)(?:号码|号)?(?:是|为)?[：:\s]{0,3}"
    rf"(?P<num>(?<!\d)\d{{3,4}}{_SEP}?\d{{4}}){_WHOLE_RUN_END}"
)
_PAREN_TEL_RE = re.compile(rf"[(（]0\d{{2,3}}[)）]{_SEP}?(?P<num>\d{{7,8}}){_WHOLE_RUN_END}")
_ACCOUNT_RE = re.compile(
    r"(?:QQ|qq|Qq|微信|[Ww]e[Cc]hat)(?:号码|号|ID|id)?(?:是|为)?[：:\s]{0,3}"
    r"(?P<num>[A-Za-z0-9_\-]{5,30})(?![A-Za-z0-9_\-])"
)

_VENUE = "".join(
    f"(?<!{w})" for w in ("活动", "服务", "集合", "办公", "报到", "会议", "单位", "社区", "网站")
)
_ADDRESS_BODY = rf"(?P<gap>[：:\s]*)(?P<body>[^{_PUNCT}\s][^{_PUNCT}]*)"
_ADDRESS_CUE_RE = re.compile(
    rf"(?P<cue>家住|住址|现住址|现住|居住在|居住于|住在|住于|{_VENUE}地址){_ADDRESS_BODY}"
)
_LIVES_AT_RE = re.compile(
    rf"(?P<cue>住)(?![院房户宅建宿持手口嘴了着过不得的址在于]){_ADDRESS_BODY}"
)

_UNIT = "号楼|号院|栋楼|幢楼|单元|栋|幢|室|号|楼|层|户|座"
_NUM = rf"(?:(?<!\d)(?<!\d{_SEP})\d{{1,5}}(?!\d)|{_CNUM}{{1,4}})"
_ITEM = rf"{_NUM}(?:{_UNIT})"
_HOUSE_RE = re.compile(
    rf"(?P<items>{_ITEM}(?:[-－—\s]?{_ITEM}){{0,5}})"
    rf"(?:[-－\s]?(?P<tail>\d{{1,5}}(?:[-－]\d{{1,5}}){{0,3}}(?:室|户|号)?){_WHOLE_RUN_END})?"
)
_ITEM_RE = re.compile(_ITEM)
_STRONG_UNIT_RE = re.compile("号楼|号院|单元|栋(?!楼)|幢(?!楼)|室")
_STREET = "大街|大道|街道|街|路|巷|胡同|弄|里|村|庄|屯|小区|花园|家园|新村|公寓|大厦|苑|园|院"
# A street's name: up to seven characters, none of them a word around a name
# (在, 住, 到 …) or a determiner (全村, 本村, 这里 are no street).
_STREET_TAIL_RE = re.compile(
    rf"(?:(?![在住于到是的和与及从向往去来全本该各每我此整同这那哪])[{_HAN}]){{1,7}}"
    rf"(?:{_STREET})\Z"
)
_STREET_REACH = 12  # characters to look back for a street: its name and its word

# What makes the words after a plain 住 an address (not 住院, 入住养老院).
_ADDRESSY_RE = re.compile(
    rf"(?:\d|{_CNUM})(?:{_UNIT})|大街|大道|街道|街|路|巷|胡同|弄|村|庄|屯|小区|花园|家园"
    "|新村|公寓|大厦|苑"
)

_HONORIFIC_RE = re.compile(f"{_SURNAME}(?:{_alternation(_TITLES)})(?!(?<=同志)愿)")
_CUE_NAMES_RE = re.compile(
    rf"(?P<cue>{_alternation(NAME_CUES)})(?P<gap>[：:]?\s?)"
    rf"(?P<names>{_CUE_NAME}(?:[、和与及]{_CUE_NAME}){{0,9}})"
)
_CUE_NAME_RE = re.compile(_CUE_NAME)
_SHORT_FORM_RE = re.compile(
    r"(?P<prefix>(?<![养敬尊孝防托助为])老|(?<![大从缩最减弱矮细微较一])小)"
    rf"[{_SHORT_FORM_SURNAMES}](?=[{_SHORT_FORM_FOLLOW}]|[^{_HAN}]|\Z)"
)

_NAME_SEPARATORS = frozenset(" ·•・.-'")
_PHONE_NOISE_RE = re.compile(r"[\s()（）+＋\-\u2010-\u2014\u2212\uff0d]")


# --- structured fields -------------------------------------------------------------


def _ascii_digits(text: str) -> str:
    """Any Unicode decimal digit as 0-9, an ID card's x as X, the rest as it is."""
    out = []
    for ch in text:
        if ch.isdecimal():
            out.append(str(unicodedata.decimal(ch, 0)))
        elif ch in "xＸｘ":
            out.append("X")
        else:
            out.append(ch)
    return "".join(out)


# --- who reads what in full -------------------------------------------------------
# A member's phone is shown in full to the member, their community (staff, grid workers)
# and their unit, or to anyone when the member consented (亮身份 with contact shown);
# everyone else, county-level readers included, reaches members through the system.
FULL_CONTACT_READERS = frozenset(
    {Role.MEMBER, Role.COMMUNITY_ADMIN, Role.GRID_WORKER, Role.UNIT_ADMIN}
)
# A resident's name is the community's to know; a member serving the need sees it masked.
MASKED_REQUESTER_READERS = frozenset({Role.MEMBER})


def phone_as_read(phone: str, reader: Role | None, *, consented: bool = False) -> str:
    """A member's phone as `reader` may see it (None: a list for nobody in particular,
    such as the county's not-yet-reported list)."""
    if consented or reader in FULL_CONTACT_READERS:
        return phone
    return mask_phone(phone)


def requester_as_read(name: str, reader: Role) -> str:
    """The name of the resident a need is for, as `reader` may see it."""
    return mask_name(name) if reader in MASKED_REQUESTER_READERS else name


def mask_phone(phone: str) -> str:
    """A mainland mobile number as 138****1234 (spaces, dashes, +86 and full-width digits
    tolerated); anything else as ****."""
    m = _MOBILE_DIGITS_RE.fullmatch(_ascii_digits(_PHONE_NOISE_RE.sub("", phone)))
    if m is None:
        return STAR * 4
    mobile = m.group()[len(m.group(1) or "") :]
    return mobile[:3] + STAR * 4 + mobile[-4:]


def mask_name(name: str) -> str:
    """A person's name: its first character, then one * for every further character
    (张伟 → 张*, 欧阳娜娜 → 欧***, compound surnames included: showing 欧阳 would single
    out its few bearers); a one-character name → *. Whitespace is trimmed and collapsed;
    spaces, middle dots and hyphens stay (买买提·艾力 → 买**·**, John Smith → J*** *****).
    """
    chars = list(" ".join(name.split()))
    letters = [i for i, ch in enumerate(chars) if ch not in _NAME_SEPARATORS]
    keep = letters[0] if len(letters) > 1 else -1
    return "".join(
        ch if i == keep or ch in _NAME_SEPARATORS else STAR for i, ch in enumerate(chars)
    )


# --- numbers -----------------------------------------------------------------------


def _classify(digits: str, lengths: list[int]) -> tuple[int, int] | None:
    """How many leading and trailing digits of a number stay readable, or None when the
    digits (ASCII, maybe ending in X) are not a number that is masked."""
    n = len(digits)
    if n in (11, 13, 15) and (mobile := _MOBILE_DIGITS_RE.fullmatch(digits)):
        return len(mobile.group(1) or "") + 3, 4
    if n == 18 and _ID18_RE.fullmatch(digits):
        return 6, 4
    if n == 15 and _ID15_RE.fullmatch(digits):
        return 6, 3
    if 10 <= n <= 12 and _LANDLINE_DIGITS_RE.fullmatch(digits):
        return (3 if digits[1] in "12" else 4), 0
    bank_grouping = len(lengths) == 1 or (set(lengths[:-1]) == {4} and lengths[-1] <= 4)
    if 16 <= n <= 19 and digits.isdigit() and bank_grouping:
        return 0, 4  # a bank card
    if len(lengths) == 1 and n >= 15:
        return 0, 4  # a long number of an unknown kind
    return None


def _digit_groups(run: str) -> list[list[int]]:
    """Positions of the digits in a run, grouped by the separators between them."""
    groups: list[list[int]] = [[]]
    for i, ch in enumerate(run):
        if ch.isdecimal() or ch in "XxＸｘ":
            groups[-1].append(i)
        else:
            groups.append([])
    return [g for g in groups if g]


def _spans(digits: list[str]) -> list[tuple[int, int, tuple[int, int]]]:
    """The recognised numbers in a run of digit groups: (first group, last group,
    (head, tail)), each the longest recognised span from the left."""
    found = []
    i = 0
    while i < len(digits):
        best = None
        joined = ""
        lengths: list[int] = []
        for j in range(i, len(digits)):
            joined += digits[j]
            lengths.append(len(digits[j]))
            if j > i and len(joined) > _SPAN_MAX:
                break
            if len(joined) >= _SPAN_MIN:
                keep = _classify(joined, lengths)
                if keep is not None:
                    best = (j, keep)
        if best is None:
            i += 1
        else:
            found.append((i, best[0], best[1]))
            i = best[0] + 1
    return found


def _mask_run(m: re.Match[str]) -> str:
    run = m.group()
    groups = _digit_groups(run)
    spans = _spans([_ascii_digits("".join(run[p] for p in g)) for g in groups])
    if not spans:
        return run
    out = list(run)
    if len(spans) == 1 and spans[0][:2] == (0, len(groups) - 1):
        head, tail = spans[0][2]
        positions = [p for g in groups for p in g]
        for k in range(head, len(positions) - tail):
            out[positions[k]] = STAR
    else:
        for first, last, _ in spans:
            for g in groups[first : last + 1]:
                for p in g:
                    out[p] = STAR
    return "".join(out)


def _star_group(name: str) -> Callable[[re.Match[str]], str]:
    """A replacement that stars the digits or letters of one named group."""

    def replace(m: re.Match[str]) -> str:
        start, end = m.span(name)
        whole = m.group()
        inner = "".join(
            STAR if ch.isalnum() or ch == "_" else ch
            for ch in whole[start - m.start() : end - m.start()]
        )
        return whole[: start - m.start()] + inner + whole[end - m.start() :]

    return replace


_star_num = _star_group("num")


def _mask_email(m: re.Match[str]) -> str:
    return m.group("local")[0] + STAR * 3 + m.group("at") + m.group("domain")


def _mask_numbers(text: str) -> str:
    text = _EMAIL_RE.sub(_mask_email, text)
    text = _RUN_RE.sub(_mask_run, text)
    text = _CUE_TEL_RE.sub(_star_num, text)
    text = _PAREN_TEL_RE.sub(_star_num, text)
    return _ACCOUNT_RE.sub(_star_num, text)


# --- addresses ---------------------------------------------------------------------


def _mask_after_cue(m: re.Match[str]) -> str:
    return m.group("cue") + m.group("gap") + STAR * 3


def _mask_if_address(m: re.Match[str]) -> str:
    return _mask_after_cue(m) if _ADDRESSY_RE.search(m.group("body")) else m.group()


def _mask_houses(text: str) -> str:
    """House numbers, with the street or estate name right before them."""
    out: list[str] = []
    done = 0
    for m in _HOUSE_RE.finditer(text):
        start = m.start()
        street = _STREET_TAIL_RE.search(text, max(done, start - _STREET_REACH), start)
        strong = (
            m.group("tail") is not None
            or _STRONG_UNIT_RE.search(m.group("items")) is not None
            or len(_ITEM_RE.findall(m.group("items"))) > 1
        )
        if street is None and not strong:
            continue
        if street is not None:
            start = street.start()
        out.append(text[done:start])
        out.append(STAR * 3)
        done = m.end()
    out.append(text[done:])
    return "".join(out)


def _mask_addresses(text: str) -> str:
    text = _ADDRESS_CUE_RE.sub(_mask_after_cue, text)
    text = _LIVES_AT_RE.sub(_mask_if_address, text)
    return _mask_houses(text)


# --- names -------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _known_names_re(names: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile(_alternation(names)) if names else None


def _usable_names(known_names: Iterable[str]) -> tuple[str, ...]:
    """Known names worth looking for: two characters or more, not already masked."""
    names = {" ".join(str(n).split()) for n in known_names}
    return tuple(sorted(n for n in names if len(n) >= 2 and STAR not in n))


def _mask_match(m: re.Match[str]) -> str:
    return mask_name(m.group())


def _mask_cue_names(m: re.Match[str]) -> str:
    names = _CUE_NAME_RE.sub(_mask_match, m.group("names"))
    return m.group("cue") + m.group("gap") + names


def _mask_short_form(m: re.Match[str]) -> str:
    return m.group("prefix") + STAR


def _mask_names(text: str, known_names: Iterable[str]) -> str:
    known = _known_names_re(_usable_names(known_names))
    if known is not None:
        text = known.sub(_mask_match, text)
    text = _HONORIFIC_RE.sub(_mask_match, text)
    text = _CUE_NAMES_RE.sub(_mask_cue_names, text)
    return _SHORT_FORM_RE.sub(_mask_short_form, text)


# --- free text ---------------------------------------------------------------------


def mask_numbers(text: str) -> str:
    """Only the numbers and addresses for mail: phones, ID and bank card numbers, QQ and
    微信 accounts, e-mail addresses (what can be recognised without guessing)."""
    return _mask_numbers(text) if text else ""


def mask_free_text(text: str, known_names: Iterable[str] = ()) -> str:
    """Free text made fit for the public: contact numbers, ID and bank card numbers,
    e-mail addresses, addresses and recognisable names masked (see the module's
    docstring for what is and is not recognised). `known_names`: names of residents or
    members the caller knows may appear in the text."""
    if not text:
        return ""
    text = _mask_numbers(text)
    text = _mask_addresses(text)
    return _mask_names(text, known_names)
