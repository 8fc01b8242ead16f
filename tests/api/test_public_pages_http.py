"""The public pages' JSON and HTML without a browser: the 微心愿墙's answer (states,
bounded paging, the masking rule on the need's words), the directory the index is made
of, and the pages (no session needed; a missing community or unit is the page's 404)."""

from __future__ import annotations

from uuid import UUID, uuid4

from domain.actors import Actor, Role
from domain.application import NeedInput
from tests.builders.http import Api, caught_up, close_order, domain_app, ready_member, setup_county

WORDS = "群众李彤（电话13072581077，身份证140525199001011234，住巴公大街3号2单元402）想修水管"
SECRETS = ("李彤", "13072581077", "140525199001011234", "巴公大街", "2单元402")


def post_need(api: Api, ids: dict[str, str], content: str = WORDS) -> str:
    app = domain_app(api)
    community = UUID(ids["community"])
    resident = app.register_resident(
        Actor(Role.PUBLIC, "anonymous"),
        community_id=community,
        name="李彤",
        phone="13072581077",
        grid_code="G01",
    ).id
    order = app.post_need(
        Actor(Role.RESIDENT, str(resident), community),
        NeedInput(content=content, category="plumbing_electrical", grid_code="G01"),
    ).id
    caught_up(api)
    return str(order)


def test_the_wall_shows_needs_masked_by_state_with_bounded_pages(api: Api) -> None:
    ids = setup_county(api)
    post_need(api, ids)
    member = ready_member(api, ids, "13800009876", "赵志远")
    close_order(api, ids, member, "1", 5, resident_name="李彤", content=WORDS)
    r = api.get(f"/public/communities/{ids['community']}/wishes")
    assert r.status_code == 200, r.text
    wall = r.json()
    assert wall["counts"] == {"open": 1, "taken": 0, "done": 1}
    assert wall["total"] == 2 and {i["state_label"] for i in wall["items"]} == {"待认领", "已完成"}
    for secret in (*SECRETS, "赵志远", "13800009876"):
        assert secret not in r.text, secret
    item = wall["items"][0]
    assert set(item) == {
        "category",
        "category_label",
        "content",
        "posted_at",
        "closed_at",
        "state",
        "state_label",
    }
    assert item["category_label"] == "水电维修"
    assert "130****1077" in item["content"] and len(item["content"]) <= 60
    done = api.get(f"/public/communities/{ids['community']}/wishes", state="done").json()
    assert done["total"] == 1 and done["items"][0]["closed_at"]
    paged = api.get(f"/public/communities/{ids['community']}/wishes", size=1, page=2).json()
    assert paged["total"] == 2 and len(paged["items"]) == 1
    assert api.get(f"/public/communities/{ids['community']}/wishes", size=51).status_code == 422
    missing = api.get(f"/public/communities/{uuid4()}/wishes")
    assert missing.status_code == 404 and missing.json()["code"] == "unknown_community"


def test_the_directory_names_communities_and_units_only(api: Api) -> None:
    ids = setup_county(api)
    r = api.get("/public/directory")
    assert r.status_code == 200, r.text
    [county] = [c for c in r.json()["counties"] if c["county_id"] == str(api.county_id)]
    assert county["communities"] == [{"community_id": ids["community"], "name": "锦绣社区"}]
    assert county["units"] == [{"unit_id": ids["unit"], "name": "泽州县财政局"}]
    assert "锦绣路1号" not in r.text  # the community's address is not the index's


def test_public_pages_need_no_session_and_answer_404_for_what_is_not_there(api: Api) -> None:
    ids = setup_county(api)
    post_need(api, ids)
    for path in (
        "/public",
        f"/public/communities/{ids['community']}/results",
        f"/public/units/{ids['unit']}/results",
        f"/public/communities/{ids['community']}/wishes",
        f"/public/communities/{ids['community']}/wishes?state=open&page=1",
    ):
        r = api.client.get(path)
        assert r.status_code == 200, (path, r.text[:300])
        assert r.headers["content-type"].startswith("text/html")
        assert 'lang="zh-CN"' in r.text and "/static/public.css" in r.text
        for secret in SECRETS:
            assert secret not in r.text, (path, secret)
    for path in (
        f"/public/communities/{uuid4()}/results",
        f"/public/units/{uuid4()}/results",
        f"/public/communities/{uuid4()}/wishes",
    ):
        r = api.client.get(path)
        assert r.status_code == 404, path
        assert "返回" in r.text and r.headers["content-type"].startswith("text/html")
