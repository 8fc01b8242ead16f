"""For auditors: each sealed log's latest signed checkpoint, inclusion proofs for any
event, consistency proofs between two tree sizes, and checkpoints on demand. The
verifier key is not served here: auditors get it out of band (`./dev seal-key`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request

from api.answers.audit import CheckpointView, Consistency, Inclusion, PublishedAnswer
from api.answers.common import answer
from api.context import SignedIn, command_response, read_consistency, services
from api.guard import GuardedRoute
from api.sweeper import publish_checkpoints
from domain import access
from domain.actors import Actor, Role
from domain.errors import Conflict, InvalidInput, NotFound
from domain.limits import LIMITS
from domain.service import Result
from projections import directory, sealer
from replay.merkle import MerkleTree

router = APIRouter(
    tags=["audit"],
    dependencies=[Depends(read_consistency)],
    route_class=GuardedRoute,
)

LogKind = Literal["community", "county"]


def _hex(hashes: list[bytes]) -> list[str]:
    return [h.hex() for h in hashes]


def _log_for_auditor(request: Request, kind: str, subject: UUID, actor: Actor) -> str:
    """The log id, if the actor audits the county it belongs to (审计, 组织部)."""
    access.require_role(actor, Role.AUDITOR, Role.ORG_DEPT, Role.OPERATOR)
    store = services(request).read.store
    if kind == "community":
        row = directory.get_community(store, str(subject))
        if row is None:
            raise NotFound("unknown_community", "社区不存在", "no such community")
        county = UUID(row["county_id"])
    else:
        if directory.get_county(store, str(subject)) is None:
            raise NotFound("unknown_county", "县（区）不存在", "no such county")
        county = subject
    access.require_county(actor, county)
    return sealer.log_id_of(kind, subject)


def _checkpoint(request: Request, log_id: str, size: int | None) -> dict[str, Any]:
    store = services(request).read.store
    row = (
        sealer.latest_checkpoint(store, log_id)
        if size is None
        else sealer.checkpoint_at(store, log_id, size)
    )
    if row is None:
        raise NotFound(
            "no_checkpoint",
            "该日志尚无签名检查点" if size is None else f"没有树大小为 {size} 的检查点",
            "no signed checkpoint" + ("" if size is None else f" of size {size}"),
        )
    return row


@router.get(
    "/audit/{kind}/{subject}/checkpoint",
    summary="日志最新签名检查点（审计）",
    description="C2SP tlog-checkpoint 签名文本（note）及其树大小、根哈希；用带外获得的公钥核验。",
    responses=answer(CheckpointView),
)
def checkpoint(
    kind: LogKind,
    subject: UUID,
    request: Request,
    actor: SignedIn,
    size: Annotated[int | None, Query(ge=0, le=LIMITS.max_integer)] = None,
) -> Any:
    log_id = _log_for_auditor(request, kind, subject, actor)
    row = _checkpoint(request, log_id, size)
    state = sealer.log_state(services(request).read.store, log_id)
    return {
        "log": log_id,
        "size": row["size"],
        "root": row["root"],
        "note": row["note"],
        "signed_at": row["signed_at"],
        "last_notification_id": row["last_notification_id"],
        "sealed_size": state.size if state else 0,
    }


@router.get(
    "/audit/{kind}/{subject}/inclusion",
    summary="某事件在日志中的包含证明（审计）",
    description="按日志位置（notification_id）查找事件的叶子，给出其在检查点（默认最新）中的"
    "RFC 9162 包含证明。",
    responses=answer(Inclusion),
)
def inclusion(
    kind: LogKind,
    subject: UUID,
    request: Request,
    actor: SignedIn,
    notification_id: Annotated[int, Query(ge=1, le=LIMITS.max_integer)],
    size: Annotated[int | None, Query(ge=1, le=LIMITS.max_integer)] = None,
) -> Any:
    log_id = _log_for_auditor(request, kind, subject, actor)
    store = services(request).read.store
    leaf = sealer.leaf_at(store, notification_id)
    if leaf is None or leaf["log_id"] != log_id:
        raise NotFound(
            "not_in_log", "该事件不在此日志中（或尚未封存）", "the event is not (yet) in this log"
        )
    row = _checkpoint(request, log_id, size)
    if leaf["seq"] >= row["size"]:
        raise Conflict(
            "not_yet_checkpointed",
            "该事件晚于检查点，请等待下一个检查点",
            "the event came after the checkpoint; wait for the next one",
            checkpoint_size=row["size"],
        )
    tree = MerkleTree(sealer.leaf_hashes(store, log_id, row["size"]))
    return {
        "log": log_id,
        "leaf": {k: leaf[k] for k in leaf if k != "log_id"},
        "leaf_index": leaf["seq"],
        "tree_size": row["size"],
        "root": row["root"],
        "proof": _hex(tree.inclusion_proof(leaf["seq"])),
        "checkpoint": row["note"],
    }


@router.get(
    "/audit/{kind}/{subject}/consistency",
    summary="两个树大小之间的一致性证明（审计）",
    description="证明大小为 to 的日志是大小为 from 的日志的延续（只追加、未改写）。",
    responses=answer(Consistency),
)
def consistency(
    kind: LogKind,
    subject: UUID,
    request: Request,
    actor: SignedIn,
    first: Annotated[int, Query(alias="from", ge=0, le=LIMITS.max_integer)],
    second: Annotated[int | None, Query(alias="to", ge=1, le=LIMITS.max_integer)] = None,
) -> Any:
    log_id = _log_for_auditor(request, kind, subject, actor)
    store = services(request).read.store
    new = _checkpoint(request, log_id, second)
    if first > new["size"]:
        raise InvalidInput(
            "invalid_tree_size", "from 不能大于 to", "from must not exceed to", to=new["size"]
        )
    tree = MerkleTree(sealer.leaf_hashes(store, log_id, new["size"]))
    return {
        "log": log_id,
        "from": first,
        "to": new["size"],
        "old_root": tree.root(first).hex(),
        "new_root": new["root"],
        "proof": _hex(tree.consistency_proof(first)),
        "checkpoint": new["note"],
    }


@router.post(
    "/audit/checkpoints",
    summary="立即为所有增长的日志签发检查点（审计、组织部）",
    responses=answer(PublishedAnswer),
)
def publish_now(request: Request, actor: SignedIn) -> Any:
    access.require_role(actor, Role.AUDITOR, Role.ORG_DEPT, Role.OPERATOR)
    svc = services(request)
    svc.read.wait_for(svc.read.store.head(), svc.settings.read_wait_seconds)
    published = publish_checkpoints(svc.app, svc.read.store, svc.settings)
    return command_response(request, Result(UUID(int=0), None), {"published": published})
