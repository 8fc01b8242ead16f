"""A request that does not fit, told in words a community worker reads (issue 12, 7).

`describe` turns FastAPI's validation errors into one Chinese sentence that names each
field by its Chinese label (api.inputs.FIELD_LABELS) and, for a choice, the allowed
values by their Chinese labels (the domain's Labelled enums, CHOICE_LABELS for the
API's own choices); `message_en` says the same in English with the codes; `errors[]`
keeps the machine detail (field path, pydantic's type and message, allowed codes).
"""

from __future__ import annotations

import re
from typing import Any

from api.inputs import field_label
from domain.values import Labelled

# Choices the API offers that are not a domain enum: code → Chinese label.
CHOICE_LABELS: dict[str, str] = {
    "json": "JSON",
    "xlsx": "Excel 表格",
    "csv": "CSV 表格",
    "asc": "升序",
    "desc": "降序",
    "approve": "通过",
    "reject": "驳回",
    "return_to_member": "返单给原党员",
    "return_to_pool": "返单重新派单",
    "close": "结单",
    "member": "党员",
    "unit": "单位",
    "team": "攻坚组",
    "community": "社区",
    "county": "县（区）",
    "posted_at": "登记时间",
    "people_affected": "涉及人数",
    "take_deadline": "接单截止时间",
    "open": "未办结",
}

# What each kind of pydantic error means, in Chinese (with its context filled in).
PROBLEMS: dict[str, str] = {
    "missing": "必须填写",
    "string_type": "应为文字",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "decimal_type": "应为数字",
    "decimal_parsing": "应为数字",
    "finite_number": "应为数字",
    "bool_type": "应为“是”或“否”（true / false）",
    "bool_parsing": "应为“是”或“否”（true / false）",
    "uuid_type": "应为有效的编号",
    "uuid_parsing": "应为有效的编号",
    "date_type": "应为日期（如 2026-03-02）",
    "date_parsing": "应为日期（如 2026-03-02）",
    "date_from_datetime_parsing": "应为日期（如 2026-03-02）",
    "datetime_type": "应为带时区的时间（如 2026-03-02T09:00:00+08:00）",
    "datetime_parsing": "应为带时区的时间（如 2026-03-02T09:00:00+08:00）",
    "timezone_aware": "应带时区（如 +08:00）",
    "list_type": "应为列表",
    "tuple_type": "应为列表",
    "dict_type": "应为 JSON 对象",
    "model_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "extra_forbidden": "不是可以填写的字段",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "不能大于 {le}",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "string_too_short": "至少 {min_length} 个字",
    "string_too_long": "不能超过 {max_length} 个字",
    "string_pattern_mismatch": "格式不正确",
}


def _labels() -> dict[frozenset[str], dict[str, str]]:
    """Every Labelled enum of the domain, by its set of codes."""
    import domain.application  # noqa: F401 - every enum's module, imported

    out: dict[frozenset[str], dict[str, str]] = {}
    stack: list[type[Labelled]] = list(Labelled.__subclasses__())
    while stack:
        cls = stack.pop()
        stack += cls.__subclasses__()
        codes = {item.code: item.label for item in cls}
        out.setdefault(frozenset(codes), codes)
    return out


ENUMS = _labels()


def choice_labels(codes: list[str]) -> list[str]:
    """The Chinese labels of the allowed codes: from the one domain enum whose codes
    include them all (codes repeat across enums: "shop" is 超市商品 and 爱心超市), else
    from CHOICE_LABELS; a code with no label is shown as it is."""
    wanted = set(codes)
    for enum_codes, labels in sorted(ENUMS.items(), key=lambda kv: len(kv[0])):
        if wanted <= enum_codes:
            return [labels[c] for c in codes]
    return [CHOICE_LABELS.get(c, c) for c in codes]


EXPECTED = re.compile(r"'([^']*)'")


def _allowed(error: dict[str, Any]) -> list[str]:
    expected = str((error.get("ctx") or {}).get("expected", ""))
    return EXPECTED.findall(expected)


def _problem_zh(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    if kind in ("literal_error", "enum"):
        labels = [f"“{label}”" for label in choice_labels(_allowed(error))]
        if len(labels) == 1:
            return "应为" + labels[0]
        return "应为" + "、".join(labels[:-1]) + "或" + labels[-1]
    template = PROBLEMS.get(kind, "格式不正确")
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError, ValueError):
        return "格式不正确"


def describe(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """The error body for a request that does not have the expected shape."""
    problems = []
    sentences: dict[str, None] = {}
    english = []
    for e in errors:
        loc = [str(p) for p in e.get("loc", ())]
        where, path = (loc[0] if loc else ""), ".".join(loc[1:])
        label = field_label(path) if path else "请求内容"
        allowed = _allowed(e) if e.get("type") in ("literal_error", "enum") else []
        problem = {
            "field": path,
            "in": where,
            "label": label,
            "type": e.get("type"),
            "problem": e.get("msg"),
        }
        if allowed:
            problem["allowed"] = allowed
            problem["allowed_labels"] = choice_labels(allowed)
        problems.append(problem)
        if not path and e.get("type") in ("dict_type", "model_attributes_type", "model_type"):
            sentences["请求内容应为 JSON 对象（Content-Type: application/json）"] = None
        else:
            sentences[f"{label}{_problem_zh(e)}"] = None
        english.append(f"{path or 'body'}: {e.get('msg')}")
    return {
        "code": "invalid_request",
        "message": "请求内容不正确：" + "；".join(sentences) + "。请修改后重试",
        "message_en": "the request does not have the expected shape: " + "; ".join(english),
        "errors": problems,
    }


def unknown_query(unknown: list[str], allowed: list[str]) -> dict[str, Any]:
    """A query parameter the route does not take (a misspelt `page_size` would otherwise
    be ignored, and the answer look like what was asked for)."""
    unknown = [name[:40] for name in unknown[:10]]
    shown = "、".join(f"{name}（{field_label(name)}）" for name in allowed) or "无"
    return {
        "code": "unknown_query_parameter",
        "message": f"不认识的查询参数：{'、'.join(unknown)}。可用的参数：{shown}",
        "message_en": f"unknown query parameter(s) {', '.join(unknown)}; "
        f"this path takes: {', '.join(allowed) or 'none'}",
        "unknown": unknown,
        "allowed": allowed,
    }
