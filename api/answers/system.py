from __future__ import annotations

from datetime import datetime

from pydantic import Field

from api.answers.common import Answer


class HealthFollower(Answer):
    follower: str
    in_process: bool
    alive: bool
    position: int = Field(description="日志位置")
    started_at: datetime
    last_error: str | None = None
    last_error_at: datetime | None = None
    dead_lettered: int | None = None
    stalled: list[str]
    lag: int
    projections: str | None = None
    beat_at: datetime | None = None


class HealthProjection(Answer):
    name: str = Field(description="名称/姓名")
    position: int = Field(description="日志位置")
    lag: int
    dead_letters: int


class Health(Answer):
    status: str = Field(description="状态")
    store: str
    projections_in_process: bool
    log_head: int
    read_model_position: int
    read_model_lag: int
    sealer_lag: int
    followers: list[HealthFollower]
    projections: list[HealthProjection]
    dead_letters: int


class CodeLabel(Answer):
    code: str = Field(description="编码")
    label: str
