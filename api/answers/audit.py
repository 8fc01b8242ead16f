from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import Field

from api.answers.common import Answer, Written


class CheckpointView(Answer):
    log: str
    size: int = Field(description="每页条数")
    root: str
    note: str = Field(description="说明")
    signed_at: datetime
    last_notification_id: int
    sealed_size: int


class Consistency(Answer):
    log: str
    from_: int = Field(alias="from", description="起始日期")
    to: int = Field(description="截止日期")
    old_root: str
    new_root: str
    proof: list[str]
    checkpoint: str


class InclusionLeaf(Answer):
    seq: int
    notification_id: int = Field(description="日志位置")
    originator_id: UUID
    originator_version: int
    topic: str = Field(description="会议议题")
    recorded_at: datetime
    state_sha256: str
    leaf_hash: str


class Inclusion(Answer):
    log: str
    leaf: InclusionLeaf
    leaf_index: int
    tree_size: int
    root: str
    proof: list[str]
    checkpoint: str


class PublishedAnswer(Written):
    published: int
