"""Issue 12, two findings of 两随机一公开:

- a seed reveal is taken exactly: a salt in upper case (or padded) is refused with
  `invalid_salt` and records nothing, in the domain and over HTTP, and `draw-verify`
  flags a stored reveal whose salt is not the committed bytes;
- the public view names a sampled unit by its name (and a community's meeting, order or
  member by the community's name) beside the opaque id, residents and members staying
  opaque, every hash unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest

from domain.actors import Role
from domain.clock import ManualClock
from domain.errors import InvalidInput
from domain.inspection_items import PlanStatus
from domain.inspection_plan import InspectionPlan
from replay import draw
from replay.drawverify import FAIL, OK
from tests.builders.http import Api, head
from tests.builders.http_inspection import SALTS as HTTP_SALTS
from tests.builders.http_inspection import VALUES as HTTP_VALUES
from tests.builders.http_inspection import County
from tests.builders.http_inspection import refused as http_refused
from tests.builders.inspection import SALTS, VALUES, Supervision, refused
from tests.builders.replay import Scene, statuses
from tests.builders.world import World

MIXED = "0123456789abcdef" * 4  # a salt with letters, as draw.new_salt() writes them


# -- reveals are taken exactly -------------------------------------------------------------


@pytest.fixture
def sup(world: World, clock: ManualClock) -> Supervision:
    return Supervision(world, clock)


def _committed(sup: Supervision, salts: tuple[str, str], values: tuple[str, str] = VALUES) -> UUID:
    app, org = sup.app, sup.org
    sup.clock.set(datetime(2026, 4, 1, 2, tzinfo=UTC))
    plan_id = sup.plan()
    app.freeze_population(org, plan_id)
    app.freeze_roster(org, plan_id)
    for party, salt, value in zip(sup.parties, salts, values, strict=True):
        app.commit_seed(party, plan_id, draw.commitment(value, salt))
    return plan_id


def test_a_salt_in_upper_case_or_padded_is_refused_and_records_nothing(
    sup: Supervision,
) -> None:
    app = sup.app
    salts = (MIXED, SALTS[1])
    plan_id = _committed(sup, salts)
    org, leader = sup.parties

    def reveal(salt: str) -> Any:
        return lambda: app.reveal_seed(org, plan_id, VALUES[0], salt)

    for wrong in (
        MIXED.upper(),  # the very digits, in upper case
        MIXED[:-1] + MIXED[-1].upper(),  # one letter in upper case
        " " + MIXED,
        MIXED + " ",
        MIXED[:-1],
    ):
        refused(app, InvalidInput, "invalid_salt", reveal(wrong))
    with pytest.raises(InvalidInput) as caught:
        app.reveal_seed(org, plan_id, VALUES[0], MIXED.upper())
    assert "小写" in caught.value.message_zh and "lowercase" in caught.value.message_en
    assert app.plan(plan_id).contributions == {}
    # the exact bytes open it; the last reveal draws
    app.reveal_seed(org, plan_id, VALUES[0], MIXED)
    app.reveal_seed(leader, plan_id, VALUES[1], SALTS[1])
    plan = app.plan(plan_id)
    assert plan.status is PlanStatus.DRAWN
    revealed = [
        e for e in app.events.get(plan_id) if isinstance(e, InspectionPlan.ContributionRevealed)
    ]
    assert [e.salt for e in revealed] == list(salts)


def test_a_contribution_or_salt_differing_in_one_byte_opens_nothing(sup: Supervision) -> None:
    app = sup.app
    plan_id = _committed(sup, (MIXED, SALTS[1]), ("Dice 3-5-1", VALUES[1]))
    org, _ = sup.parties
    for contribution, salt in (
        ("dice 3-5-1", MIXED),  # the contribution in another case
        ("DICE 3-5-1", MIXED),
        ("Dice 3-5-1", "f" + MIXED[1:]),  # another well-formed salt
    ):
        refused(
            app,
            InvalidInput,
            "commitment_not_opened",
            lambda c=contribution, s=salt: app.reveal_seed(org, plan_id, c, s),
        )
    app.reveal_seed(org, plan_id, "Dice 3-5-1", MIXED)


def test_over_http_a_salt_in_upper_case_is_refused_with_a_chinese_message(api: Api) -> None:
    county = County(api)
    plan_id = county.plan()
    path = f"/inspection-plans/{plan_id}"
    for step in ("freeze-population", "freeze-roster"):
        assert api.post(f"{path}/{step}", {}, api.org).status_code == 200
    county.commit_all(path)
    before = head(api)
    upper = {"contribution": HTTP_VALUES[0], "salt": HTTP_SALTS[0].upper()}
    r = api.post(f"{path}/reveals", upper, api.org)
    http_refused(api, r, 422, "invalid_salt", before)
    assert "小写" in r.json()["message"] and "lowercase" in r.json()["message_en"]
    padded = {"contribution": HTTP_VALUES[0], "salt": HTTP_SALTS[0] + " "}
    http_refused(api, api.post(f"{path}/reveals", padded, api.org), 422, "invalid_salt", before)
    county.reveal_all(path)  # the exact salts still open their commitments
    assert api.get(path, api.org).json()["status"] == "drawn"


@pytest.fixture
def scene(store_env: dict[str, str], clock: ManualClock) -> Iterator[Scene]:
    s = Scene(store_env, clock)
    yield s
    s.app.close()


def test_draw_verify_flags_a_stored_reveal_whose_salt_is_not_exact(scene: Scene) -> None:
    assert scene.verify().ok

    def upper(state: dict[str, Any]) -> None:
        state["salt"] = state["salt"].upper()

    scene.edit(scene.position(InspectionPlan.ContributionRevealed.TOPIC), upper)
    report = scene.verify()
    assert not report.ok
    seen = statuses(report)
    assert seen["seed_inputs"] == FAIL, report.text()
    # the seed is made of the contributions only: the draw itself still recomputes
    assert {seen[k] for k in ("population", "roster", "seed", "sample")} == {OK}, report.text()
    assert "小写十六进制" in report.text() and "打不开其承诺" in report.text()


# -- units and communities by name on the public page --------------------------------------


def _drawn(county: County, **plan: Any) -> str:
    api = county.api
    plan_id = county.plan(**plan)
    path = f"/inspection-plans/{plan_id}"
    for step in ("freeze-population", "freeze-roster"):
        r = api.post(f"{path}/{step}", {}, api.org)
        assert r.status_code == 200, r.text
    county.commit_all(path)
    county.reveal_all(path)
    return plan_id


HASHES = ("plan_hash", "population_hash", "roster_hash", "sample_commitment", "seed", "seed_hash")


def test_a_sampled_unit_is_shown_by_its_name_beside_its_id(store_api: Api) -> None:
    api = store_api
    county = County(api)
    r = api.post("/units", {"name": "泽州县教育局", "member_count": 3}, api.org)
    assert r.status_code == 201, r.text
    second = r.json()["unit_id"]
    r = api.post(f"/units/{second}/pairings", {"community_id": county.ids["community"]}, api.org)
    assert r.status_code == 201, r.text
    plan_id = _drawn(county, item="unit_pairing", minimum=2)
    staff = api.get(f"/inspection-plans/{plan_id}", api.org).json()

    public = api.get(f"/public/inspections/{plan_id}").json()
    names = {county.ids["unit"]: "泽州县财政局", second: "泽州县教育局"}
    assert {t["target"] for t in public["targets"]} == {f"UNIT:{u}" for u in names}
    for t in public["targets"]:
        name = names[t["target"].removeprefix("UNIT:")]
        assert t["target_label"] == name and t["unit_name"] == name
        assert t["community_name"] is None
    # the ids, the tickets and every hash as before: the canonical documents are untouched
    assert {k: public[k] for k in HASHES} == {k: staff[k] for k in HASHES}
    assert public["sample_matches_commitment"] is True and public["plan_hash_matches"] is True
    assert [t["ticket"] for t in public["targets"]] == [t["ticket"] for t in staff["targets"]]
    for s in public["skips"]:
        assert s["target_label"] == names[s["target"].removeprefix("UNIT:")]

    page = api.client.get(f"/public/inspections/{plan_id}")
    assert page.status_code == 200
    for unit, name in names.items():
        assert f"{name}<br><span class='hash'>UNIT:{unit}</span>" in page.text
    assert "<th>检查对象</th>" in page.text


def test_orders_and_meetings_are_named_by_their_community_and_stay_opaque(
    store_api: Api,
) -> None:
    api = store_api
    county = County(api)
    plan_id = _drawn(county)
    public = api.get(f"/public/inspections/{plan_id}").json()
    assert public["targets"]
    for t in public["targets"]:
        assert t["target"].startswith("ORD:JX:")
        assert t["community_name"] == "锦绣社区"
        assert t["target_label"] == "锦绣社区的一项已办结需求"
        # an order's unit is its member's: never named (it would point at the member)
        assert t["unit_name"] is None and "unit_id" not in t and "member_id" not in t
    for a in public["alternates"]:
        assert a["target_label"] == "锦绣社区的一项已办结需求"
    page = api.client.get(f"/public/inspections/{plan_id}").text
    first = public["targets"][0]["target"]
    assert f"锦绣社区的一项已办结需求<br><span class='hash'>{first}</span>" in page
    for body in (page, api.get(f"/public/inspections/{plan_id}").text):
        assert "张电工" not in body and "13800000011" not in body and "王奶奶" not in body

    # a joint meeting (a sit-in, its sample public once voided) by its community's name
    staff = api.token(Role.COMMUNITY_ADMIN, UUID(county.ids["community"]), "社区-李")
    for day in ("2026-04-08", "2026-04-15"):
        body = {"held_on": day, "topic": "大党委例会", "place": "社区党群服务中心"}
        r = api.post(f"/communities/{county.ids['community']}/meetings", body, staff)
        assert r.status_code == 201, r.text
    sit_in = _drawn(
        county, item="sit_in", period_start="2026-04-02", period_end="2026-04-30", minimum=1
    )
    r = api.post(f"/inspection-plans/{sit_in}/void", {"reason": "会议安排变动"}, api.org)
    assert r.status_code == 200, r.text
    [meeting] = api.get(f"/public/inspections/{sit_in}").json()["targets"]
    assert meeting["target"].startswith("MTG:JX:")
    assert meeting["target_label"] == "锦绣社区党建联席会议"
    assert meeting["community_name"] == "锦绣社区" and meeting["unit_name"] is None
