"""The sealer: every event in exactly one log, each log's leaves recomputable from the
stored bytes, signed checkpoints that verify with the public key alone, inclusion and
consistency proofs over HTTP, rebuilds that change nothing, and a log that no longer
extends its checkpoint is never signed over."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest

from domain.application import Sishuang
from domain.clock import ManualClock
from domain.event_catalogue import log_of
from projections import ReadModels, sealer
from projections.base import Follower
from projections.sealer import Sealer
from projections.settings import Settings, signing_key
from replay.checkpoint import verify_checkpoint
from replay.leaf import leaf, state_digest
from replay.merkle import MerkleTree, leaf_hash, verify_consistency, verify_inclusion
from tests.builders.http import Api, close_order, head, ready_member, setup_county
from tests.builders.orders import Loop
from tests.builders.world import World


@pytest.fixture
def sealed(
    store_env: dict[str, str], clock: ManualClock, tmp_path: Path
) -> Iterator[tuple[Loop, ReadModels, Settings]]:
    app = Sishuang(store_env, clock=clock)
    read = ReadModels(app, run_projections=True)
    loop = Loop(World(app), clock)
    for hours in ("1", "2"):
        order = loop.post()
        loop.to_claimed(order, hours=hours)
        app.rate(loop.resident, order, stars=5, solved="yes")
    assert read.follower is not None
    read.follower.catch_up()
    yield loop, read, Settings(data_dir=tmp_path, log_origin="sishuang.test")
    app.close()


def recompute(app: Sishuang) -> dict[str, list[bytes]]:
    """Every log's leaf hashes, from the stored records alone."""
    logs: dict[str, list[bytes]] = {}
    owners: dict[UUID, str] = {}
    for n in app.recorder.select_notifications(1, limit=100_000):
        event = app.mapper.to_domain_event(n)
        log_id = log_of(event, owners.get)
        owners.setdefault(event.originator_id, log_id)
        leaves = logs.setdefault(log_id, [])
        data = leaf(
            sealer.log_subject(log_id),
            len(leaves),
            n.id,
            str(n.originator_id),
            n.originator_version,
            n.topic,
            event.timestamp.isoformat(),
            state_digest(bytes(n.state)),
        )
        leaves.append(leaf_hash(data))
    return logs


def test_every_event_is_sealed_once_in_its_log(
    sealed: tuple[Loop, ReadModels, Settings],
) -> None:
    loop, read, _ = sealed
    expected = recompute(loop.app)
    community = f"community:{loop.world.community_id}"
    assert community in expected and f"county:{loop.world.county_id}" in expected
    assert sum(len(v) for v in expected.values()) == read.store.head()
    for log_id, hashes in expected.items():
        assert sealer.leaf_hashes(read.store, log_id) == hashes, log_id
        state = sealer.log_state(read.store, log_id)
        assert state is not None and state.root == MerkleTree(hashes).root()
    # orders, members and residents of the community all went to its log
    topics = Counter(r["topic"].split(".")[0] for r in sealer.leaves(read.store, community))
    assert topics["sishuang:Order"] >= 2 and topics["sishuang:Member"] >= 2
    assert sealer.lag(read.store) == 0


def test_checkpoints_verify_extend_and_survive_a_rebuild(
    sealed: tuple[Loop, ReadModels, Settings],
) -> None:
    loop, read, settings = sealed
    key = signing_key(settings)
    vkey = (settings.data_dir / "seal.vkey").read_text().strip()
    community = f"community:{loop.world.community_id}"
    first = sealer.publish(read.store, key, settings.log_origin, loop.clock.now())
    assert {row["log_id"] for row in first} == set(sealer.log_ids(read.store))
    old = verify_checkpoint(sealer.latest_checkpoint(read.store, community)["note"], vkey)  # type: ignore[index]
    assert old.origin == f"sishuang.test/community/{loop.world.community_id}"
    assert sealer.publish(read.store, key, settings.log_origin, loop.clock.now()) == []

    order = loop.post(content="再来一单")
    loop.to_claimed(order)
    assert read.follower is not None
    read.follower.catch_up()
    second = sealer.publish(read.store, key, settings.log_origin, loop.clock.now(), only=community)
    new = verify_checkpoint(second[0]["note"], vkey)
    assert new.size > old.size
    tree = MerkleTree(sealer.leaf_hashes(read.store, community))
    proof = tree.consistency_proof(old.size)
    assert verify_consistency(old.size, new.size, old.root, new.root, proof)
    for seq, hashed in enumerate(sealer.leaf_hashes(read.store, community)):
        assert verify_inclusion(hashed, seq, new.size, tree.inclusion_proof(seq), new.root)

    # a rebuild of the sealer gives the same leaves: the checkpoints still hold
    before = Sealer().dump(read.store)
    rebuilder = Follower(loop.app, [Sealer()], page_size=7)
    rebuilder.reset(rebuilder.projections[0])
    rebuilder.catch_up()
    assert Sealer().dump(read.store) == before
    assert sealer.publish(read.store, key, settings.log_origin, loop.clock.now()) == []


def test_a_log_that_no_longer_extends_its_checkpoint_is_not_signed(
    sealed: tuple[Loop, ReadModels, Settings],
) -> None:
    loop, read, settings = sealed
    key = signing_key(settings)
    community = f"community:{loop.world.community_id}"
    sealer.publish(read.store, key, settings.log_origin, loop.clock.now())
    order = loop.post(content="再来一单")
    assert read.follower is not None
    read.follower.catch_up()
    with read.store.write() as tx:  # someone rewrites history in the sealed leaves
        tx.execute(
            "UPDATE rm_seal_leaves SET leaf_hash = ? WHERE log_id = ? AND seq = 0",
            ("00" * 32, community),
        )
    with pytest.raises(sealer.CheckpointConflict):
        sealer.publish(read.store, key, settings.log_origin, loop.clock.now(), only=community)
    assert order


def test_checkpoint_and_proofs_over_http(api: Api) -> None:
    from domain.actors import Role

    ids = setup_county(api)
    member = ready_member(api, ids, "13800000031", "张电工")
    close_order(api, ids, member, "2", stars=4)
    auditor = api.token(Role.AUDITOR, api.county_id, "审计-周")
    community = ids["community"]
    r = api.get(f"/audit/community/{community}/checkpoint", auditor)
    assert r.status_code == 404 and r.json()["code"] == "no_checkpoint"
    staff = api.token(Role.COMMUNITY_ADMIN, UUID(community))
    assert api.post("/audit/checkpoints", {}, staff).status_code == 403
    r = api.post("/audit/checkpoints", {}, auditor)
    assert r.status_code == 200 and r.json()["published"] >= 2
    vkey = (api.settings.data_dir / "seal.vkey").read_text().strip()
    body = api.get(f"/audit/community/{community}/checkpoint", auditor).json()
    checkpoint = verify_checkpoint(body["note"], vkey)
    assert checkpoint.size == body["size"] and checkpoint.root.hex() == body["root"]

    last = head(api)
    r = api.get(f"/audit/community/{community}/inclusion", auditor, notification_id=last)
    assert r.status_code == 200, r.text
    proof = r.json()
    assert verify_inclusion(
        bytes.fromhex(proof["leaf"]["leaf_hash"]),
        proof["leaf_index"],
        proof["tree_size"],
        [bytes.fromhex(h) for h in proof["proof"]],
        checkpoint.root,
    )
    r = api.get(f"/audit/community/{community}/consistency", auditor, **{"from": 3})
    c = r.json()
    assert verify_consistency(
        3,
        c["to"],
        bytes.fromhex(c["old_root"]),
        checkpoint.root,
        [bytes.fromhex(h) for h in c["proof"]],
    )
    r = api.get(f"/audit/county/{api.county_id}/inclusion", auditor, notification_id=last)
    assert r.status_code == 404 and r.json()["code"] == "not_in_log"
    health = api.get("/health").json()
    assert health["sealer_lag"] == 0
