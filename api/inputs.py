"""What the API takes in, before anything reaches a command: the body, the query, sizes.

- `Body`, the base of every request model: every string in the JSON (keys too) passes
  the text rule (domain.text, lenient form: lines allowed; each command then applies
  its field's own rule), every integer fits `max_integer`, every number is finite,
  nesting is bounded. A refusal is a 422 with a stable code naming the field.
- `Page`, `YearQuery`, `YearPath`, `BodyYear`, `Day`, `Moment`, `Number`: bounded query,
  path and body values; `within` states a body number's range in the OpenAPI document.
- `InputLimits`: an ASGI middleware that refuses a body over its limit before reading
  it (413), headers over theirs (431), and query parameters that break the text rule
  (422), each as the API's JSON error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import parse_qsl

import orjson
from fastapi import HTTPException, Path, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from domain import text
from domain.errors import InvalidInput
from domain.limits import LIMITS, check_year

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Chinese names of request fields, for messages a community worker can read.
FIELD_LABELS = {
    "name": "名称/姓名",
    "phone": "手机号码",
    "post": "职务",
    "unit_id": "单位",
    "community_id": "社区",
    "basis": "报到方式",
    "grid_code": "网格",
    "code": "编码",
    "grids": "网格",
    "member_count": "在职党员人数",
    "decision": "审核结果",
    "reason": "理由",
    "message": "提醒内容",
    "member_ids": "党员",
    "unit_ids": "单位",
    "hours_per_year": "承诺时长",
    "service_radius_km": "服务半径",
    "content": "需求内容",
    "category": "类别",
    "urgency": "紧急程度",
    "people_affected": "涉及人数",
    "stars": "星级",
    "solved": "是否解决",
    "hours": "服务时长",
    "lat": "纬度",
    "lon": "经度",
    "overrides": "政策参数",
    "held_on": "会议日期",
    "topic": "会议议题",
    "place": "会议地点",
    "period_start": "抽查期间起",
    "period_end": "抽查期间止",
    "public_value_available_after": "公开数值产生时间",
    "ratio": "抽查比例",
    "low_ratio": "低评价层抽查比例",
    "holidays": "节假日",
    "extra_workdays": "调休工作日",
    "target": "检查对象",
    "inspector_id": "检查人员",
    "confirmed": "群众是否确认",
    "attendance": "到会人数",
    "commitment": "承诺值",
    "contribution": "种子数值",
    "note": "说明",
    "comment": "评语",
    "title": "名称",
    "address": "地址",
    "outcome": "跟进结果",
    "summary": "结果说明",
    "discussed": "会议内容",
    "text": "承诺内容",
    "tags": "特长标签",
    "starts_at": "开始时间",
    "ends_at": "结束时间",
    "year": "年度",
    "quarter": "季度",
    "page": "页码",
    "size": "每页条数",
    "q": "检索文字",
    "tag": "特长标签",
    "price": "积分",
    "stock": "库存",
    "quantity": "数量",
    "score": "评分",
    "method": "跟进方式",
    "kind": "类型",
    "source": "需求来源",
    "status": "状态",
    "sort": "排序字段",
    "order": "排序方向",
    "format": "格式",
    "from": "起始日期",
    "to": "截止日期",
    "grid": "网格",
    "skill": "擅长领域",
    "slot": "可服务时段",
    "star": "星级",
    "figure": "指标",
    "overdue": "是否超期",
    "by": "统计口径",
    "month": "月份",
    "item": "抽查事项",
    "include_withdrawn": "含已下架项目",
    "notification_id": "日志位置",
    "member_id": "党员",
    "order_id": "需求",
    "item_id": "兑换项目",
    "partner_id": "合作商家",
    "resident_id": "居民",
    "county_id": "县（区）",
    "home_community_id": "所在社区",
    "assignee_id": "交办对象",
    "assignee_kind": "交办类型",
    "assignee_name": "交办对象名称",
    "requester_name": "求助人",
    "preferred_time": "期望服务时间",
    "photos": "照片",
    "sha256": "照片编号",
    "credit_hours": "是否计入时长",
    "excluded": "排除名单",
    "adopted": "采纳的对接",
    "contact": "联系方式",
    "description": "说明",
    "restock": "补货数量",
    "withdraw_reason": "下架理由",
    "identity": "亮身份",
    "show_contact": "是否公开联系方式",
    "skills": "亮特长",
    "categories": "擅长领域",
    "availability": "可服务时间与半径",
    "time_slots": "可服务时间",
    "results": "服务成效",
    "feedback": "群众反馈",
    "assessment": "社区评价",
    "corrects": "所更正的评价",
    "correction_reason": "更正理由",
    "conclusion": "检查结论",
    "reason_code": "理由类别",
    "party": "种子参与方",
    "parties": "种子参与方",
    "salt": "盐",
    "seed_method": "种子产生方式",
    "public_value_source": "公开数值来源",
    "public_value_pattern": "公开数值格式",
    "public_value_example": "公开数值示例",
    "alternates": "备选数量",
    "minimum": "最少抽取数",
    "low_minimum": "低评价层最少抽取数",
    "low_rated_below": "低评价星级线",
    "cooldown_days": "近期已查不再抽取的天数",
    "load_cap": "每人最多检查对象数",
    "inspectors_per_target": "每个对象检查人数",
    "disclosure_working_days": "结果公示期限（工作日）",
    "unannounced": "是否不打招呼",
    "unit_name": "所在单位",
}


def field_label(path: str) -> str:
    """A field's Chinese name from its path (`identity.post` → 职务)."""
    last = path.split(".")[-1] if path else ""
    if last.isdigit():  # an item of a list: name the list
        parts = [p for p in path.split(".") if not p.isdigit()]
        last = parts[-1] if parts else ""
    return FIELD_LABELS.get(last, last) or "请求内容"


# -- the JSON body ------------------------------------------------------------------------


def check_json(value: Any) -> None:
    """Walk a decoded JSON body (no recursion: depth is what is being checked)."""
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, path, depth = stack.pop()
        if depth > LIMITS.max_json_depth:
            raise InvalidInput(
                "too_deep",
                f"请求内容嵌套过深（最多 {LIMITS.max_json_depth} 层）",
                f"the body nests deeper than {LIMITS.max_json_depth} levels",
            )
        if isinstance(item, str):
            _check_string(item, path)
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if abs(item) > LIMITS.max_integer:
                raise InvalidInput(
                    "number_out_of_range",
                    f"{field_label(path)}的数值过大",
                    f"{path or 'a number'}: at most {LIMITS.max_integer} in magnitude",
                    field=path,
                )
        elif isinstance(item, float):
            if item != item or item in (float("inf"), float("-inf")):
                raise InvalidInput(
                    "invalid_number",
                    f"{field_label(path)}不是有效的数字",
                    f"{path or 'a number'}: not a finite number",
                    field=path,
                )
        elif isinstance(item, dict):
            for key, child in item.items():
                key_text = str(key)
                _check_string(key_text, path)
                stack.append((child, f"{path}.{key_text}" if path else key_text, depth + 1))
        elif isinstance(item, (list, tuple)):
            for index, child in enumerate(item):
                stack.append((child, f"{path}.{index}" if path else str(index), depth + 1))


def _check_string(value: str, path: str) -> None:
    found = text.problem(value, lines=True)
    if found is not None:
        label = field_label(path)
        raise InvalidInput(
            "invalid_text",
            f"{label}{found}，请删除后重新填写",
            f"{path or 'the body'}: the text holds characters that cannot be stored "
            "(control characters, lone surrogates, direction overrides or noncharacters)",
            field=path,
        )


class Body(BaseModel):
    """The base of every request body: see the module's docstring."""

    @model_validator(mode="before")
    @classmethod
    def _hostile(cls, data: Any) -> Any:
        # InvalidInput is not a ValueError: pydantic lets it through to the API's
        # handler, which answers with its stable code.
        check_json(data)
        return data


# -- bounded values -------------------------------------------------------------------------


def _in_years(value: Any, info: ValidationInfo) -> Any:
    check_year(value, field_label(info.field_name or "") if info.field_name else "日期")
    return value


def _decimal_digits(value: Decimal) -> Decimal:
    digits = value.as_tuple().digits
    exponent = value.as_tuple().exponent
    if (
        not value.is_finite()
        or len(digits) > LIMITS.max_decimal_digits
        or (isinstance(exponent, int) and abs(exponent) > LIMITS.max_decimal_digits)
    ):
        raise InvalidInput(
            "invalid_number",
            "数字的位数过多或不是有效的数字",
            f"a decimal of at most {LIMITS.max_decimal_digits} digits",
        )
    return value


Page = Annotated[int, Query(ge=1, le=LIMITS.max_page, description="页码")]
Day = Annotated[date, AfterValidator(_in_years)]
Moment = Annotated[datetime, AfterValidator(_in_years)]
Number = Annotated[Decimal, AfterValidator(_decimal_digits)]
YearQuery = Annotated[
    int | None,
    Query(ge=LIMITS.earliest_year, le=LIMITS.latest_year, description="年度，默认今年"),
]
BodyYear = Annotated[int, Field(ge=LIMITS.earliest_year, le=LIMITS.latest_year, description="年度")]
YearPath = Annotated[int, Path(ge=LIMITS.earliest_year, le=LIMITS.latest_year, description="年度")]


def example(value: dict[str, Any]) -> ConfigDict:
    """A body model's example in the contract: Swagger UI fills its form with it, and
    tests/api/test_contract.py checks every example is a body the model accepts."""
    return ConfigDict(json_schema_extra={"examples": [value]})


def within(low: int, high: int) -> dict[str, Any]:
    """A number's range as the OpenAPI contract states it (clients and schemathesis read
    it); the command itself refuses what is outside, with its own stable code."""
    return {"minimum": low, "maximum": high}


# -- the ASGI middleware ---------------------------------------------------------------------


class BodyTooLarge(HTTPException):
    """Raised while a body is being read past its limit (a chunked upload that sent no
    Content-Length); FastAPI passes HTTP exceptions through to the API's handler."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, detail=str(limit))
        self.limit = limit


def error_body(code: str, zh: str, en: str, **extra: Any) -> dict[str, Any]:
    """The API's error: a stable code, a message in Chinese and in English."""
    return {"code": code, "message": zh, "message_en": en, **extra}


class InputLimits:
    """Sizes and query text, checked before the application sees the request."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_json_bytes: int = LIMITS.max_json_bytes,
        max_upload_bytes: int = LIMITS.max_photo_bytes,
        max_header_bytes: int = LIMITS.max_header_bytes,
        upload_paths: frozenset[str] = frozenset({"/api/v1/photos"}),
    ) -> None:
        self.app = app
        self.max_json_bytes = max_json_bytes
        self.max_upload_bytes = max_upload_bytes
        self.max_header_bytes = max_header_bytes
        self.upload_paths = upload_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers") or []
        if sum(len(k) + len(v) for k, v in headers) > self.max_header_bytes:
            await _answer(
                send,
                431,
                error_body(
                    "headers_too_large",
                    f"请求头过大（最多 {self.max_header_bytes // 1024} KB），请重新登录后再试",
                    f"request headers larger than {self.max_header_bytes} bytes",
                ),
            )
            return
        problem = _query_problem(scope.get("query_string") or b"")
        if problem is not None:
            await _answer(send, 422, problem)
            return
        limit = (
            self.max_upload_bytes if scope.get("path") in self.upload_paths else self.max_json_bytes
        )
        declared = _content_length(headers)
        if declared is not None and declared > limit:
            await _answer(send, 413, too_large_body(limit))
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message.get("type") == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)


def too_large_body(limit: int) -> dict[str, Any]:
    shown = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
    return error_body(
        "body_too_large",
        f"请求内容过大（最多 {shown}）",
        f"the request body is larger than {limit} bytes",
        limit=limit,
    )


def _content_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for key, value in headers:
        if key.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _query_problem(query: bytes) -> dict[str, Any] | None:
    if not query:
        return None
    try:
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        return error_body("invalid_query", "查询参数无法解析", "the query string is malformed")
    for key, value in pairs:
        for part in (key, value):
            found = text.problem(part, lines=False)
            if found is not None:
                return error_body(
                    "invalid_text",
                    f"查询参数 {field_label(key) if key.isprintable() else ''}{found}",
                    "a query parameter holds characters that cannot be used",
                    field=key if key.isprintable() else "",
                )
    return None


async def _answer(send: Send, status: int, error: dict[str, Any]) -> None:
    body = orjson.dumps(error)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
