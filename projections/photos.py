"""Where each photo is used: a need it was posted with, an order's evidence, an
inspection finding. A photo is only ever served to someone who may read one of those
(api.routes_orders.get_photo), never to anyone who merely knows its hash."""

from __future__ import annotations

from typing import Any

from domain.inspection_plan import InspectionPlan
from domain.order import Order
from projections.base import Handler, Projection
from projections.store import ReadStore, Tx


class Photos(Projection):
    name = "rm_photos"
    version = 1
    tables = ("rm_photo_uses",)
    ddl = (
        "CREATE TABLE IF NOT EXISTS rm_photo_uses ("
        " sha256 TEXT NOT NULL, kind TEXT NOT NULL, resource_id TEXT NOT NULL,"
        " PRIMARY KEY (sha256, kind, resource_id))",
    )

    def handlers(self) -> dict[type, Handler]:
        return {
            Order.Posted: self.posted,
            Order.PhotoAttached: self.attached,
            InspectionPlan.FindingRecorded: self.finding,
        }

    def _use(self, tx: Tx, digests: Any, kind: str, resource_id: object) -> None:
        tx.executemany(
            "INSERT INTO rm_photo_uses (sha256, kind, resource_id) VALUES (?, ?, ?)"
            " ON CONFLICT (sha256, kind, resource_id) DO NOTHING",
            [(d, kind, str(resource_id)) for d in dict.fromkeys(digests)],
        )

    def posted(self, tx: Tx, e: Order.Posted) -> None:
        self._use(tx, e.photos, "order", e.originator_id)

    def attached(self, tx: Tx, e: Order.PhotoAttached) -> None:
        self._use(tx, [e.sha256], "order", e.originator_id)

    def finding(self, tx: Tx, e: InspectionPlan.FindingRecorded) -> None:
        self._use(tx, e.photos, "plan", e.originator_id)


def uses_of(store: ReadStore, sha256: str) -> list[tuple[str, str]]:
    """(kind, resource id) of every use of the photo: ("order", id) or ("plan", id)."""
    with store.read() as tx:
        rows = tx.execute(
            "SELECT kind, resource_id FROM rm_photo_uses WHERE sha256 = ?"
            " ORDER BY kind, resource_id",
            (sha256,),
        ).all()
    return [(r["kind"], r["resource_id"]) for r in rows]
