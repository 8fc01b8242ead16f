"""两随机一公开 over HTTP: the inspector directory, a revisit plan from publication to
published results, the inspectors' own tasks, members' and units' views, the public
endpoint and page without login and without residents' data, joint meetings, and bad
input answered 4xx with a stable code and no event."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

from fastapi.testclient import TestClient

from api.app import create_app
from domain.actors import OPERATOR, Role
from domain.clock import ManualClock
from domain.demo import load_demo
from domain.inspectors import Inspector
from domain.order import Order
from domain.resident import Resident
from projections.settings import Settings
from tests.builders.http import Api, domain_app, head, ready_member
from tests.builders.http_inspection import SALTS, VALUES, County, refused

DEMO_TODAY = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)


def resident_secrets(api: Api) -> list[str]:
    """Every resident's name, phone and address as the log holds them, and what they asked."""
    app = domain_app(api)
    secrets = []
    for n in app.recorder.select_notifications(1, 100_000):
        event = app.mapper.to_domain_event(n)
        if isinstance(event, Resident.Registered):
            secrets += [s for s in (event.name, event.phone, event.address) if s]
    secrets.append("楼道灯坏了")
    return secrets


def test_a_revisit_plan_over_http_from_publication_to_the_public_page(api: Api) -> None:
    county = County(api)
    org = api.org
    plan_id = county.plan()
    path = f"/inspection-plans/{plan_id}"

    before = head(api)
    refused(api, api.post(f"{path}/draw", {}, org), 409, "plan_wrong_stage", before)
    for step in ("freeze-population", "freeze-roster"):
        r = api.post(f"{path}/{step}", {}, org)
        assert r.status_code == 200, r.text
    county.commit_all(path)
    before = head(api)
    wrong = {"contribution": "骰子 1-1-1", "salt": SALTS[0]}
    refused(api, api.post(f"{path}/reveals", wrong, org), 422, "commitment_not_opened", before)
    county.reveal_all(path)
    before = head(api)
    refused(api, api.post(f"{path}/draw", {}, org), 409, "already_drawn", before)

    r = api.get(path, org)
    assert r.status_code == 200, r.text
    plan = r.json()
    assert plan["status"] == "drawn" and plan["sample_matches_commitment"] is True
    targets = {t["target"]: [a["inspector_id"] for a in t["inspectors"]] for t in plan["targets"]}
    assert len(targets) == 3 and all(t.startswith("ORD:JX:") for t in targets)
    conflicted = next(i for i, n in county.inspectors.items() if n == "钱督查")
    assert all(conflicted not in team for team in targets.values())
    assert {s["inspector_id"] for s in plan["skips"]} <= {conflicted}  # when ranked ahead
    assert api.get(path, county.inspector(conflicted)).status_code == 200  # county readers
    assert api.get(path, {"Authorization": county.member["Authorization"]}).status_code == 403
    r = api.get(f"/counties/{api.county_id}/inspection-plans", org)
    assert [p["plan_id"] for p in r.json()] == [plan_id]

    # each inspector sees their own tasks; not another's
    first, team = next(iter(sorted(targets.items())))
    me = county.inspector(team[0])
    r = api.get(f"/inspectors/{team[0]}/assignments", me)
    assert r.status_code == 200, r.text
    assert first in {a["target"] for a in r.json()["assignments"]}
    r = api.get(f"/inspectors/{team[0]}/assignments", county.inspector(conflicted))
    assert r.status_code == 403

    # findings: by the team only; a bad conclusion or shape changes nothing
    before = head(api)
    finding = {"target": first, "conclusion": "pass", "confirmed": True, "stars": 5}
    refused(
        api,
        api.post(f"{path}/findings", finding, county.inspector(conflicted)),
        403,
        "inspector_not_assigned",
        before,
    )
    refused(
        api,
        api.post(f"{path}/findings", {**finding, "conclusion": "good"}, me),
        422,
        "invalid_conclusion",
        before,
    )
    refused(
        api,
        api.post(f"{path}/findings", {**finding, "stars": "五星"}, me),
        422,
        "invalid_request",
        before,
    )
    refused(
        api,
        api.post(f"{path}/findings", {"target": first, "conclusion": "pass"}, me),
        422,
        "confirmation_required",
        before,
    )
    for target, members in sorted(targets.items()):
        r = api.post(
            f"{path}/findings", {**finding, "target": target}, county.inspector(members[0])
        )
        assert r.status_code == 201, r.text
    r = api.post(f"{path}/publish-results", {"summary": "回访 3 单，均属实"}, org)
    assert r.status_code == 200, r.text
    before = head(api)
    refused(
        api,
        api.post(f"{path}/findings", {**finding, "conclusion": "rectify"}, me),
        422,
        "correction_reason_required",
        before,
    )
    r = api.post(
        f"{path}/findings",
        {**finding, "conclusion": "rectify", "correction_reason": "照片与签到地点不符"},
        me,
    )
    assert r.status_code == 201, r.text

    # 一公开: no token, no resident's data
    r = api.get("/public/inspections")
    assert r.status_code == 200, r.text
    [summary] = r.json()["plans"]
    assert summary["plan_id"] == plan_id and summary["results_published"] is True
    assert summary["conclusions"] == {"合格": 2, "限期整改": 1}
    r = api.get(f"/public/inspections/{plan_id}")
    assert r.status_code == 200, r.text
    public = r.json()
    assert public["sample_matches_commitment"] is True and public["plan_hash_matches"] is True
    assert public["seed"] == plan["seed"] and len(public["targets"]) == 3
    row = next(t for t in public["targets"] if t["target"] == first)
    assert row["conclusion_label"] == "限期整改"
    assert row["findings"][-1]["correction_reason"] == "照片与签到地点不符"
    names = {a["name"] for t in public["targets"] for a in t["inspectors"]}
    assert names <= {"周督查", "吴督查", "郑督查"} and names
    page = api.client.get("/public/inspections")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "随机抽查结果公开" in page.text and "2026年3月回访抽查" in page.text
    detail = api.client.get(f"/public/inspections/{plan_id}")
    assert detail.status_code == 200 and "核对用的数值" in detail.text
    assert first in detail.text and "一致" in detail.text and "限期整改" in detail.text
    assert '<link rel="stylesheet" href="/static/public.css">' in detail.text
    css = api.client.get("/static/public.css")  # large print, served locally (no CDN)
    assert css.status_code == 200 and "font-size: 22px" in css.text
    assert "style-src 'self'" in detail.headers["content-security-policy"]
    secrets = resident_secrets(api)
    assert "王奶奶" in secrets
    for body in (r.text, page.text, detail.text, api.get("/public/inspections").text):
        for secret in secrets:
            assert secret not in body, secret
        assert "张电工" not in body and "13800000011" not in body
    assert api.get(f"/public/inspections/{UUID(int=1)}").json()["code"] == "unknown_plan"
    missing = api.client.get(f"/public/inspections/{UUID(int=1)}")
    assert missing.status_code == 404 and "没有这次抽查" in missing.text

    # the member and their unit see the results that concern them
    mine = api.get(
        f"/members/{county.member['id']}/inspections",
        {"Authorization": county.member["Authorization"]},
    )
    assert mine.status_code == 200, mine.text
    assert {x["target"] for x in mine.json()["results"]} == set(targets)
    assert all(x["results_published"] for x in mine.json()["results"])
    unit_admin = api.token(Role.UNIT_ADMIN, UUID(county.ids["unit"]), "单位-赵")
    r = api.get(f"/units/{county.ids['unit']}/inspections", unit_admin)
    assert r.status_code == 200 and {x["target"] for x in r.json()["results"]} == set(targets)
    assert {x["member_name"] for x in r.json()["results"]} == {"张电工"}
    other = ready_member(api, county.ids, "13800000012", "李会计")
    r = api.get(
        f"/members/{county.member['id']}/inspections", {"Authorization": other["Authorization"]}
    )
    assert r.status_code == 403
    r = api.get(f"/units/{county.ids['unit']}/inspections", county.member)
    assert r.status_code == 403


def test_bad_input_is_refused_with_a_stable_code_and_records_nothing(api: Api) -> None:
    county = County(api)
    app, org = domain_app(api), api.org
    other_county = app.register_county(OPERATOR, name="高平市", code="GP").id
    other_org = api.token(Role.ORG_DEPT, other_county, "高平组织部")
    r = api.post("/units", {"name": "高平市教育局", "member_count": 3}, other_org)
    foreign_unit = r.json()["unit_id"]

    before = head(api)
    refused(
        api,
        api.post("/inspectors", {"name": "冯督查", "unit_id": foreign_unit}, org),
        409,
        "unit_not_in_county",
        before,
    )
    refused(api, api.post("/inspectors", {"name": "冯督查"}, org), 422, "unit_required", before)
    refused(
        api,
        api.post("/inspectors", {"name": "冯督查", "unit_name": "县纪委"}, county.inspector("x")),
        403,
        "forbidden_role",
        before,
    )
    refused(
        api, api.post("/inspectors", {"unit_name": "县纪委"}, org), 422, "invalid_request", before
    )
    r = api.post("/inspectors", {"name": "冯督查", "unit_name": "县纪委"})
    assert r.status_code == 401 and head(api) == before

    refused(
        api,
        api.post(
            "/inspection-plans",
            {
                "title": "x",
                "item": "audit",
                "period_start": "2026-03-01",
                "period_end": "2026-03-31",
                "parties": [ref for ref, _ in county.parties],
            },
            org,
        ),
        422,
        "invalid_inspection_item",
        before,
    )
    bad_plans = [
        ({"ratio": 1.5}, "invalid_sample_ratio"),
        ({"parties": ["org_dept:组织部-王"]}, "seed_parties_required"),
        ({"parties": ["组长", "见证人"]}, "invalid_seed_party"),
        ({"period_end": "2026-05-01"}, "period_not_over"),
        ({"period_start": "2026-03-31", "period_end": "2026-03-01"}, "invalid_period"),
        ({"inspectors_per_target": 1}, "invalid_number"),
        ({"period_start": "三月"}, "invalid_request"),
    ]
    for overrides, code in bad_plans:
        body = {
            "title": "回访",
            "item": "revisit",
            "period_start": "2026-03-01",
            "period_end": "2026-03-31",
            "parties": [ref for ref, _ in county.parties],
            **overrides,
        }
        refused(api, api.post("/inspection-plans", body, org), 422, code, before)

    plan_id = county.plan()
    path = f"/inspection-plans/{plan_id}"
    before = head(api)
    refused(api, api.post(f"{path}/draw", {}, org), 409, "plan_wrong_stage", before)
    refused(
        api,
        api.post(f"{path}/commitments", {"commitment": "0" * 64}, org),
        409,
        "plan_wrong_stage",
        before,
    )
    refused(api, api.post(f"{path}/void", {}, org), 422, "invalid_request", before)
    refused(api, api.post(f"{path}/void", {"reason": " "}, org), 422, "empty_text", before)
    refused(
        api,
        api.post(f"/inspection-plans/{UUID(int=7)}/draw", {}, org),
        404,
        "unknown_plan",
        before,
    )
    assert api.get(f"/inspection-plans/{UUID(int=7)}", org).json()["code"] == "unknown_plan"
    assert api.post(f"{path}/freeze-population", {}, org).status_code == 200
    assert api.post(f"{path}/freeze-roster", {}, org).status_code == 200
    before = head(api)
    refused(
        api,
        api.post(
            f"{path}/commitments",
            {"party": county.parties[1][0], "commitment": "0" * 64},
            org,
        ),
        403,
        "not_a_seed_party",
        before,
    )
    refused(
        api,
        api.post(f"{path}/commitments", {"commitment": "xyz"}, org),
        422,
        "invalid_commitment",
        before,
    )
    county.commit_all(path)
    before = head(api)
    refused(api, api.post(f"{path}/draw", {}, org), 409, "seed_not_revealed", before)
    refused(
        api,
        api.post(
            f"{path}/reveals",
            {"contribution": VALUES[1], "salt": SALTS[0]},
            county.parties[1][1],
        ),
        422,
        "commitment_not_opened",
        before,
    )
    county.reveal_all(path)
    plan = api.get(path, org).json()
    target = plan["targets"][0]
    outsider = next(
        i for i in county.inspectors if i not in {a["inspector_id"] for a in target["inspectors"]}
    )
    before = head(api)
    refused(
        api,
        api.post(
            f"{path}/recusals",
            {"target": target["target"], "inspector_id": outsider, "reason": "出差"},
            county.inspector(outsider),
        ),
        409,
        "not_assigned",
        before,
    )
    refused(
        api,
        api.post(f"{path}/replacements", {"target": "ORD:JX:nothing", "reason": "搬走"}, org),
        409,
        "not_a_drawn_target",
        before,
    )
    refused(
        api,
        api.post(f"{path}/publish-results", {}, org),
        409,
        "findings_missing",
        before,
    )
    refused(
        api,
        api.post(f"{path}/visits-completed", {}, org),
        409,
        "not_unannounced",
        before,
    )
    member = county.inspector(target["inspectors"][0]["inspector_id"])
    refused(
        api,
        api.post(
            f"{path}/findings",
            {
                "target": target["target"],
                "conclusion": "pass",
                "confirmed": True,
                "photos": ["c" * 64],
            },
            member,
        ),
        404,
        "unknown_photo",
        before,
    )
    refused(
        api,
        api.post(
            f"{path}/findings",
            {"target": target["target"], "conclusion": "pass", "confirmed": True, "stars": 9},
            member,
        ),
        422,
        "invalid_stars",
        before,
    )
    r = api.post(f"{path}/void", {"reason": "方案比例有误"}, org)
    assert r.status_code == 200, r.text
    before = head(api)
    refused(
        api,
        api.post(
            f"{path}/findings",
            {"target": target["target"], "conclusion": "pass", "confirmed": True},
            member,
        ),
        409,
        "plan_voided",
        before,
    )
    [summary] = api.get("/public/inspections").json()["plans"]
    assert summary["void_reason"] == "方案比例有误" and summary["status_label"] == "已作废"
    assert "方案比例有误" in api.client.get("/public/inspections").text


def test_inspectors_meetings_and_idempotent_creation(api: Api) -> None:
    county = County(api)
    org = api.org
    staff = api.token(Role.COMMUNITY_ADMIN, UUID(county.ids["community"]), "社区-李")
    key = {"Idempotency-Key": "inspector-feng-1"}
    first = api.post("/inspectors", {"name": "冯督查", "unit_name": "县纪委"}, {**org, **key})
    again = api.post("/inspectors", {"name": "冯督查", "unit_name": "县纪委"}, {**org, **key})
    # a retry is the first answer again (issue 12, finding 6), marked as replayed
    assert first.status_code == 201 and again.status_code == first.status_code
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.json()["inspector_id"] == again.json()["inspector_id"]
    feng = first.json()["inspector_id"]

    r = api.post(f"/inspectors/{feng}/retire", {"reason": "调离"}, org)
    assert r.status_code == 200, r.text
    before = head(api)
    refused(
        api,
        api.post(f"/inspectors/{feng}/retire", {"reason": "再次"}, org),
        409,
        "inspector_retired",
        before,
    )
    r = api.get(f"/counties/{api.county_id}/inspectors", org)
    assert r.status_code == 200
    rows = {x["inspector_id"]: x for x in r.json()}
    assert len(rows) == 5 and rows[feng]["active"] is False
    assert api.get(f"/counties/{api.county_id}/inspectors", staff).status_code == 403
    assert api.get(f"/counties/{api.county_id}/inspectors").status_code == 401

    community = county.ids["community"]
    meeting = {"held_on": "2026-04-20", "topic": "研究加装电梯", "place": "社区党群服务中心"}
    r = api.post(f"/communities/{community}/meetings", meeting, staff)
    assert r.status_code == 201, r.text
    meeting_id = r.json()["meeting_id"]
    before = head(api)
    refused(
        api,
        api.post(f"/communities/{community}/meetings", {**meeting, "held_on": "2026-03-01"}, staff),
        422,
        "meeting_in_past",
        before,
    )
    refused(
        api,
        api.post(f"/communities/{community}/meetings", {**meeting, "held_on": "下周一"}, staff),
        422,
        "invalid_request",
        before,
    )
    refused(
        api,
        api.post(f"/communities/{community}/meetings", meeting, org),
        403,
        "forbidden_role",
        before,
    )
    r = api.post(
        f"/communities/{community}/meetings/{meeting_id}/cancel", {"reason": "改期"}, staff
    )
    assert r.status_code == 200, r.text
    r = api.get(f"/communities/{community}/meetings", staff)
    assert r.status_code == 200
    [row] = r.json()
    assert row["meeting_id"] == meeting_id and row["cancelled"] is True
    assert api.get(f"/communities/{community}/meetings", org).status_code == 200
    assert api.get(f"/communities/{community}/meetings", county.member).status_code == 403


def test_the_demo_county_is_disclosed_without_any_residents_name_phone_or_address(
    tmp_path: Path,
) -> None:
    """The demo's four plans as the public sees them: the published revisit with a false
    order reversed, the voided plan with its reason, the missed deadline, the unannounced
    sit-in showing only its commitment; no resident's data anywhere, JSON or page."""
    settings = Settings(data_dir=tmp_path, token_secret="test-secret-for-the-demo-page")
    with TestClient(create_app(settings, clock=ManualClock(DEMO_TODAY))) as client:
        svc = client.app.state.services  # type: ignore[attr-defined]
        load_demo(svc.app, members=60, residents_per_community=12, needs_per_community=16)
        svc.read.follower.nudge()
        assert svc.read.wait_for(svc.app.recorder.max_notification_id(), 10.0)
        secrets: set[str] = set()
        inspectors: set[str] = set()
        for n in svc.app.recorder.select_notifications(1, 1_000_000):
            event = svc.app.mapper.to_domain_event(n)
            if isinstance(event, Resident.Registered):
                secrets |= {s for s in (event.name, event.phone, event.address) if s}
            elif isinstance(event, Order.Posted):
                secrets |= {s for s in (event.requester_name, event.content) if len(s) >= 2}
            elif isinstance(event, Inspector.Registered):
                inspectors.add(event.name)
        secrets -= inspectors  # an inspector may share a resident's name: theirs is public
        assert secrets

        r = client.get("/api/v1/public/inspections")
        assert r.status_code == 200, r.text
        plans = {p["item"]: p for p in r.json()["plans"]}
        assert set(plans) == {"revisit", "sit_in", "service_record", "unit_pairing"}
        assert plans["service_record"]["void_reason"]
        assert plans["unit_pairing"]["disclosure"]["overdue"] is True
        assert "逾期" in plans["unit_pairing"]["disclosure"]["label"]
        assert plans["sit_in"]["draw_revealed"] is False and plans["sit_in"]["seed"] is None
        bodies = [r.text, client.get("/public/inspections").text]
        for item, summary in plans.items():
            detail = client.get(f"/api/v1/public/inspections/{summary['plan_id']}")
            assert detail.status_code == 200, detail.text
            view = detail.json()
            if view["draw_revealed"]:
                assert view["sample_matches_commitment"] is True, item
            elif view["drawn_at"] is not None:  # the unannounced sit-in
                assert "targets" not in view and view["sample_commitment"]
            bodies += [detail.text, client.get(f"/public/inspections/{summary['plan_id']}").text]
        revisit = client.get(f"/api/v1/public/inspections/{plans['revisit']['plan_id']}").json()
        assert any(t.get("follow_up", "").startswith("经回访核定") for t in revisit["targets"])
        for body in bodies:
            leaked = [s for s in secrets if s in body]
            assert not leaked, leaked


def test_an_inspector_sees_only_their_own_targets_of_an_unannounced_sit_in(api: Api) -> None:
    county = County(api)
    org = api.org
    staff = api.token(Role.COMMUNITY_ADMIN, UUID(county.ids["community"]), "社区-李")
    for day in ("2026-04-08", "2026-04-15", "2026-04-22", "2026-04-29"):
        body = {"held_on": day, "topic": "大党委例会", "place": "社区党群服务中心"}
        r = api.post(f"/communities/{county.ids['community']}/meetings", body, staff)
        assert r.status_code == 201, r.text
    plan_id = county.plan(
        item="sit_in", period_start="2026-04-02", period_end="2026-04-30", minimum=1, ratio=0.25
    )
    path = f"/inspection-plans/{plan_id}"
    for step in ("freeze-population", "freeze-roster"):
        assert api.post(f"{path}/{step}", {}, org).status_code == 200
    county.commit_all(path)
    county.reveal_all(path)
    full = api.get(path, org).json()
    assert full["unannounced"] and len(full["targets"]) == 1
    team = {a["inspector_id"] for a in full["targets"][0]["inspectors"]}
    for inspector_id in county.inspectors:
        view = api.get(path, county.inspector(inspector_id)).json()
        assert "targets" not in view and "seed" not in view, view
        mine = [t["target"] for t in view["my_targets"]]
        assert mine == ([full["targets"][0]["target"]] if inspector_id in team else [])
    public = api.get(f"/public/inspections/{plan_id}").json()
    assert "targets" not in public and public["sample_commitment"] == full["sample_commitment"]
    # voided before the visits: the sample can no longer be hidden
    assert api.post(f"{path}/void", {"reason": "会议安排变动，本次作废"}, org).status_code == 200
    public = api.get(f"/public/inspections/{plan_id}").json()
    assert public["targets"][0]["target"] == full["targets"][0]["target"]
    assert public["sample_matches_commitment"] is True


def test_a_plan_published_twice_with_one_idempotency_key_is_one_plan(api: Api) -> None:
    """A retry of 一细则 with its Idempotency-Key answers the first plan (it was a 500:
    the request's fingerprint held a seed method the transcoder did not know)."""
    county = County(api)
    body = {
        "title": "2026年3月回访抽查",
        "item": "revisit",
        "period_start": "2026-03-01",
        "period_end": "2026-03-31",
        "parties": [ref for ref, _ in county.parties],
        "ratio": 0.5,
        "minimum": 2,
        "seed_method": "commit_reveal",
    }
    headers = {**api.org, "Idempotency-Key": "plan-2026-03"}
    first = api.post("/inspection-plans", body, headers)
    assert first.status_code == 201, first.text
    before = head(api)
    again = api.post("/inspection-plans", body, headers)
    assert again.status_code == 201, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert head(api) == before, "the retry records nothing"
    other = api.post("/inspection-plans", {**body, "title": "另一个细则"}, headers)
    assert other.status_code == 409, other.text
    assert head(api) == before
