"""Value types shared by the aggregates, with their Chinese labels and validation."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from typing import Self

from domain import text
from domain.errors import InvalidInput


class Labelled(Enum):
    """An enum whose value is a stable English code and which carries a Chinese label."""

    def __init__(self, code: str, label: str) -> None:
        self.code = code
        self.label = label

    @classmethod
    def from_code(cls, code: str) -> Self:
        for item in cls:
            if item.code == code:
                return item
        shown = str(code)[:40]
        raise InvalidInput(
            f"invalid_{cls.error_name()}",
            f"{cls.label_zh()}“{shown}”无效，应为" + "、".join(f"“{item.label}”" for item in cls),
            f"invalid {cls.error_name().replace('_', ' ')}: {shown}; one of "
            + ", ".join(item.code for item in cls),
            value=shown,
            allowed=[item.code for item in cls],
        )

    @classmethod
    def error_name(cls) -> str:
        return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()

    @classmethod
    def label_zh(cls) -> str:
        return cls.__name__


class SkillCategory(Labelled):
    """擅长领域 from the category list; members add free tags beside them."""

    MEDICAL = ("medical", "医疗健康")
    LEGAL = ("legal", "法律咨询")
    EDUCATION = ("education", "教育辅导")
    PSYCHOLOGY = ("psychology", "心理疏导")
    CULTURE = ("culture", "文化文艺")
    POLICY = ("policy", "政策宣讲")
    PLUMBING_ELECTRICAL = ("plumbing_electrical", "水电维修")
    APPLIANCE_REPAIR = ("appliance_repair", "家电维修")
    IT = ("it", "信息技术")
    ENVIRONMENT = ("environment", "环境卫生")
    ELDERLY_DISABLED = ("elderly_disabled", "助老助残")
    SAFETY_PATROL = ("safety_patrol", "治安巡逻")
    MEDIATION = ("mediation", "矛盾调解")
    EMPLOYMENT = ("employment", "就业创业")
    FINANCE = ("finance", "金融理财")
    SPORTS = ("sports", "体育健身")
    CHILDCARE = ("childcare", "儿童关爱")
    TRANSPORT = ("transport", "交通出行")

    @classmethod
    def label_zh(cls) -> str:
        return "擅长领域"


class TimeSlot(Labelled):
    """可服务时间."""

    WEEKDAY_DAYTIME = ("weekday_daytime", "工作日白天")
    WEEKDAY_EVENING = ("weekday_evening", "工作日晚上")
    WEEKEND_MORNING = ("weekend_morning", "周末上午")
    WEEKEND_AFTERNOON = ("weekend_afternoon", "周末下午")
    WEEKEND_EVENING = ("weekend_evening", "周末晚上")
    HOLIDAYS = ("holidays", "节假日")
    ON_CALL = ("on_call", "随叫随到")

    @classmethod
    def label_zh(cls) -> str:
        return "可服务时间"


class RegistrationBasis(Labelled):
    """Why the member reports to this community: where they live, or their unit's pairing."""

    RESIDENCE = ("residence", "居住地社区")
    PAIRED = ("paired", "单位结对社区")

    @classmethod
    def label_zh(cls) -> str:
        return "报到方式"


class MemberStatus(Labelled):
    PENDING = ("pending", "待审核")
    APPROVED = ("approved", "已通过")
    REJECTED = ("rejected", "未通过")

    @classmethod
    def label_zh(cls) -> str:
        return "审核状态"


class Urgency(Labelled):
    """紧急程度."""

    NORMAL = ("normal", "一般")
    URGENT = ("urgent", "较急")
    CRITICAL = ("critical", "紧急")

    @classmethod
    def label_zh(cls) -> str:
        return "紧急程度"


class NeedSource(Labelled):
    """Where a need came from (the field's channels)."""

    APP = ("app", "群众线上点单")
    VISIT = ("visit", "走访")
    WECHAT = ("wechat", "微信群")
    COUNCIL = ("council", "议事会")
    WISH_CARD = ("wish_card", "微心愿卡")

    @classmethod
    def label_zh(cls) -> str:
        return "需求来源"


class Solved(Labelled):
    """The resident's answer to "was it solved?"."""

    YES = ("yes", "已解决")
    PARTLY = ("partly", "部分解决")
    NO = ("no", "未解决")

    @classmethod
    def label_zh(cls) -> str:
        return "是否解决"


class PhotoKind(Labelled):
    BEFORE = ("before", "服务前")
    AFTER = ("after", "服务后")
    OTHER = ("other", "过程")

    @classmethod
    def label_zh(cls) -> str:
        return "照片类型"


class FollowUpMethod(Labelled):
    PHONE = ("phone", "电话核实")
    JOINT_MEETING = ("joint_meeting", "联席会议")

    @classmethod
    def label_zh(cls) -> str:
        return "跟进方式"


@dataclass(frozen=True)
class GeoPoint:
    """WGS-84 coordinates, as the app's GPS gives them."""

    lat: Decimal
    lon: Decimal


@dataclass(frozen=True)
class Grid:
    """A community's 网格: a stable code within the community and a name."""

    code: str
    name: str


PHONE_RE = re.compile(r"^1[3-9][0-9]{9}$", re.ASCII)
MAX_NAME_LEN = 40
MAX_LINE_LEN = 200
MAX_TEXT_LEN = 500
MAX_TAG_LEN = 20
MAX_TAGS = 20


def check_text(value: str, what_zh: str, *, lines: bool) -> str:
    """The text rule (domain.text) for one field: refused with a stable code and a
    message that names the field and says what to do; returns the text unchanged."""
    if not isinstance(value, str):
        raise InvalidInput("invalid_text", f"{what_zh}应为文字", f"{what_zh}: expected text")
    found = text.problem(value, lines=lines)
    if found is not None:
        raise InvalidInput(
            "invalid_text",
            f"{what_zh}{found}，请删除后重新填写",
            "the text holds characters that cannot be stored (control characters, "
            "lone surrogates, direction overrides or noncharacters)"
            + ("" if lines else ", or a line break where one line is expected"),
        )
    if value.strip() and not text.visible(value):
        raise InvalidInput(
            "invisible_text",
            f"{what_zh}没有可见的文字，请重新填写",
            "the text shows nothing (only spaces or invisible characters)",
        )
    return value


def clean_name(value: str, what_zh: str, code: str = "empty_name") -> str:
    """A required display name: one line, trimmed, not empty, not absurdly long."""
    cleaned = " ".join(check_text(value or "", what_zh, lines=False).split())
    if not cleaned:
        raise InvalidInput(code, f"{what_zh}不能为空", f"{code.replace('_', ' ')}: name is empty")
    if len(cleaned) > MAX_NAME_LEN:
        raise InvalidInput(
            "name_too_long",
            f"{what_zh}不能超过 {MAX_NAME_LEN} 个字",
            f"name longer than {MAX_NAME_LEN} characters",
        )
    return cleaned


def clean_line(value: str | None, what_zh: str, *, required: bool = False) -> str:
    """One line of text (a title, a place, an address): trimmed, bounded."""
    cleaned = check_text(value or "", what_zh, lines=False).strip()
    return _bounded(cleaned, what_zh, required, MAX_LINE_LEN)


def clean_text(value: str | None, what_zh: str, *, required: bool = False) -> str:
    """Free text (a need, a reason, a note): lines allowed, trimmed, bounded."""
    cleaned = check_text(text.normalise_lines(value or ""), what_zh, lines=True).strip()
    return _bounded(cleaned, what_zh, required, MAX_TEXT_LEN)


def _bounded(cleaned: str, what_zh: str, required: bool, limit: int) -> str:
    if required and not cleaned:
        raise InvalidInput("empty_text", f"{what_zh}不能为空", "text is empty")
    if len(cleaned) > limit:
        raise InvalidInput(
            "text_too_long",
            f"{what_zh}不能超过 {limit} 个字",
            f"text longer than {limit} characters",
        )
    return cleaned


def clean_phone(value: str) -> str:
    """A mainland mobile number, 11 digits starting 13–19; spaces and dashes are tolerated."""
    # Full-width digits from a Chinese IME become ASCII; other scripts' digits do not
    # pass, so one number has one spelling and the duplicate check sees it.
    digits = re.sub(r"[\s\-()]", "", unicodedata.normalize("NFKC", value or ""))
    if digits.startswith("+86"):
        digits = digits[3:]
    if not PHONE_RE.match(digits):
        raise InvalidInput(
            "invalid_phone",
            "手机号码格式不正确，应为 11 位手机号",
            "malformed phone number: expected an 11-digit mainland mobile number",
        )
    return digits


def clean_tags(tags: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    seen: list[str] = []
    for raw in tags:
        tag = " ".join(check_text(raw or "", "标签", lines=False).split())
        if not tag:
            continue
        if len(tag) > MAX_TAG_LEN:
            raise InvalidInput(
                "tag_too_long",
                f"标签不能超过 {MAX_TAG_LEN} 个字：{tag}",
                f"tag longer than {MAX_TAG_LEN} characters",
            )
        if tag not in seen:
            seen.append(tag)
    if len(seen) > MAX_TAGS:
        raise InvalidInput(
            "too_many_tags", f"标签不能超过 {MAX_TAGS} 个", f"more than {MAX_TAGS} tags"
        )
    return tuple(seen)


def clean_code(value: str, what_zh: str) -> str:
    code = (value or "").strip() if isinstance(value, str) else ""
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", code):
        raise InvalidInput(
            "invalid_code",
            f"{what_zh}编码只能由字母、数字、下划线或连字符组成（1–32 位）",
            "codes are 1-32 letters, digits, '_' or '-'",
        )
    return code


def to_decimal(value: object, what_zh: str) -> Decimal:
    try:
        result = Decimal(str(value))
    except Exception:
        raise InvalidInput("invalid_number", f"{what_zh}不是有效的数字", "not a number") from None
    if not result.is_finite():
        raise InvalidInput("invalid_number", f"{what_zh}不是有效的数字", "not a number")
    return result


HOURS_PLACES = Decimal("0.01")  # hours are shown with two decimals, everywhere


def hours_text(value: object) -> str:
    """Hours as a person reads them: two decimals ("2.00", "0.25", "13.50"), rounded
    half up (hours recorded before the step rule may carry more)."""
    return str(Decimal(str(value)).quantize(HOURS_PLACES, rounding=ROUND_HALF_UP))


def on_step(hours: Decimal, step: Decimal) -> bool:
    """Whether hours are a whole number of steps (domain.policies hours_step)."""
    return hours % step == 0


def to_step(hours: Decimal, step: Decimal) -> Decimal:
    """Hours rounded half up to a whole number of steps, shown with two decimals."""
    steps = (hours / step).to_integral_value(rounding=ROUND_HALF_UP)
    return (steps * step).quantize(HOURS_PLACES)


def clean_point(lat: object, lon: object) -> GeoPoint:
    la, lo = to_decimal(lat, "纬度"), to_decimal(lon, "经度")
    if not (Decimal(-90) <= la <= Decimal(90) and Decimal(-180) <= lo <= Decimal(180)):
        raise InvalidInput("invalid_location", "坐标超出范围", "coordinates out of range")
    return GeoPoint(la, lo)


def distance_m(a: GeoPoint, b: GeoPoint) -> int:
    """Great-circle distance in metres (haversine, mean Earth radius)."""
    import math

    lat1, lon1, lat2, lon2 = map(
        math.radians, (float(a.lat), float(a.lon), float(b.lat), float(b.lon))
    )
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return round(2 * 6_371_008.8 * math.asin(math.sqrt(h)))


SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


def clean_sha256(value: str) -> str:
    digest = (value or "").strip().lower()
    if not SHA256_RE.match(digest):
        raise InvalidInput("invalid_photo", "照片编号无效", "not a SHA-256 photo id")
    return digest
