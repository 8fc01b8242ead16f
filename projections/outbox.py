"""The outbox: events become messages for people (domain.messages), each once, with its
SMS delivery when the kind goes by SMS and the recipient has a phone and wants it; the
inbox (站内信) with read and unread; the deliveries as the worker and the community see
them (docs/notifications.md).

A message's id is derived from its source event, kind and recipient, and its time is
the event's: rebuilding the outbox from the log gives the same messages. Everything a
handler decides on (phones, preferences, members' service areas, needs' deadlines, the
county's policy values) comes from events this projection follows itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson

from domain.actors import Role, split_ref
from domain.calendar import business_date, local_text, stored
from domain.community import Community
from domain.county import County
from domain.delivery import (
    Delivery,
    DeliveryStatus,
    Inbox,
    Preferences,
    delivery_id,
)
from domain.evaluation import WarningLevel
from domain.inspection_plan import InspectionPlan
from domain.member import Member
from domain.messages import (
    CATALOGUE,
    SYSTEM_COUNTY,
    Channel,
    MessageKind,
    community_key,
    grid_key,
    inspector_key,
    member_key,
    message_id,
    phone_key,
    phone_of,
    render,
    resident_key,
    source_key,
    unit_key,
)
from domain.order import Order
from domain.phone_check import PhoneCheck
from domain.points import Redemption
from domain.policies import DEFAULT_POLICY, Policy
from domain.resident import Resident
from domain.unit import Unit
from domain.values import GeoPoint, Urgency, distance_m, hours_text
from projections.base import Handler, Projection
from projections.store import ReadStore, Tx

K = MessageKind
NEED_CHARS = 20  # a need's content as a message quotes it, at most

DDL = (
    "CREATE TABLE IF NOT EXISTS rm_msg_messages ("
    " message_id TEXT PRIMARY KEY, recipient TEXT NOT NULL, kind TEXT NOT NULL,"
    " title TEXT NOT NULL, body TEXT NOT NULL, params TEXT NOT NULL, urgent INTEGER NOT NULL,"
    " county_id TEXT NOT NULL, community_id TEXT, about_id TEXT, day TEXT NOT NULL,"
    " created_at TEXT NOT NULL, position INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS rm_msg_messages_inbox ON rm_msg_messages (recipient, created_at)",
    # Read messages by inbox (domain.delivery.inbox_id of the recipient).
    "CREATE TABLE IF NOT EXISTS rm_msg_reads ("
    " inbox_id TEXT NOT NULL, message_id TEXT NOT NULL, read_at TEXT NOT NULL,"
    " PRIMARY KEY (inbox_id, message_id))",
    "CREATE TABLE IF NOT EXISTS rm_msg_deliveries ("
    " delivery_id TEXT PRIMARY KEY, message_id TEXT NOT NULL, channel TEXT NOT NULL,"
    " recipient TEXT NOT NULL, kind TEXT NOT NULL, urgent INTEGER NOT NULL,"
    " county_id TEXT NOT NULL, community_id TEXT, status TEXT NOT NULL,"
    " attempts INTEGER NOT NULL, next_attempt_at TEXT, lease_until TEXT,"
    " worker TEXT NOT NULL, provider_ref TEXT NOT NULL, last_error TEXT NOT NULL,"
    " created_at TEXT NOT NULL, updated_at TEXT NOT NULL, valid_until TEXT)",
    "CREATE INDEX IF NOT EXISTS rm_msg_deliveries_due ON rm_msg_deliveries"
    " (status, next_attempt_at)",
    "CREATE INDEX IF NOT EXISTS rm_msg_deliveries_community ON rm_msg_deliveries"
    " (community_id, status)",
    # Who has a phone (members and residents as they registered) and their names.
    "CREATE TABLE IF NOT EXISTS rm_msg_people ("
    " recipient TEXT PRIMARY KEY, name TEXT NOT NULL, phone TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS rm_msg_prefs ("
    " recipient TEXT PRIMARY KEY, prefs_id TEXT NOT NULL UNIQUE, sms_off TEXT NOT NULL,"
    " nearby INTEGER NOT NULL, updated_at TEXT NOT NULL)",
    # Members' service areas (附近新需求).
    "CREATE TABLE IF NOT EXISTS rm_msg_members ("
    " member_id TEXT PRIMARY KEY, county_id TEXT NOT NULL, community_id TEXT NOT NULL,"
    " unit_id TEXT NOT NULL, name TEXT NOT NULL, approved INTEGER NOT NULL,"
    " categories TEXT NOT NULL, lat TEXT, lon TEXT, radius_km TEXT)",
    "CREATE TABLE IF NOT EXISTS rm_msg_orders ("
    " order_id TEXT PRIMARY KEY, county_id TEXT NOT NULL, community_id TEXT NOT NULL,"
    " need TEXT NOT NULL, resident_id TEXT, posted_by TEXT NOT NULL, urgency TEXT NOT NULL,"
    " member_id TEXT, applicants TEXT NOT NULL, take_deadline TEXT NOT NULL,"
    " take_remind_at TEXT, rate_deadline TEXT, rate_remind_at TEXT, overdue_deadline TEXT)",
    "CREATE INDEX IF NOT EXISTS rm_msg_orders_take ON rm_msg_orders (take_remind_at)",
    "CREATE INDEX IF NOT EXISTS rm_msg_orders_rate ON rm_msg_orders (rate_remind_at)",
    "CREATE TABLE IF NOT EXISTS rm_msg_places ("
    " place_id TEXT PRIMARY KEY, name TEXT NOT NULL, county_id TEXT NOT NULL,"
    " overrides TEXT NOT NULL)",
)
TABLES = (
    "rm_msg_messages",
    "rm_msg_reads",
    "rm_msg_deliveries",
    "rm_msg_people",
    "rm_msg_prefs",
    "rm_msg_members",
    "rm_msg_orders",
    "rm_msg_places",
)


def _printable(text: str) -> str:
    """Text a message quotes, printable only: a control character (a NUL a store cannot
    hold) never reaches an inbox or a phone."""
    return "".join(c if c.isprintable() else " " for c in text)


def _need(content: str) -> str:
    text = " ".join(_printable(content).split())
    return text if len(text) <= NEED_CHARS else text[: NEED_CHARS - 1] + "…"


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


class Outbox(Projection):
    name = "rm_outbox"
    version = 2  # 2: a delivery's valid_until (an SMS is not sent after its deadline)
    tables = TABLES
    ddl = DDL

    def handlers(self) -> dict[type, Handler]:
        return {
            County.Registered: self.county_registered,
            County.PolicyChanged: self.policy_changed,
            Community.Registered: self.community_registered,
            Member.Registered: self.member_registered,
            Member.Approved: self.member_approved,
            Member.Rejected: self.member_rejected,
            Member.SkillsDeclared: self.skills,
            Member.AvailabilityDeclared: self.availability,
            Member.Reminded: self.member_reminded,
            Member.Warned: self.warned,
            Unit.Registered: self.unit_registered,
            Unit.Reminded: self.unit_reminded,
            Resident.Registered: self.resident_registered,
            Order.Posted: self.posted,
            Order.TakeRequested: self.take_requested,
            Order.Dispatched: self.dispatched,
            Order.JointMeetingDecided: self.joint_meeting,
            Order.ReturnedToMember: self.returned,
            Order.Declined: self.declined,
            Order.Reopened: self.reopened,
            Order.MarkedUnclaimed: self.take_window_over,
            Order.CompletionClaimed: self.completion_claimed,
            Order.Rated: self.rating_over,
            Order.Closed: self.rating_over,
            Order.TakeWindowEnding: self.take_window_ending,
            Order.RatingWindowEnding: self.rating_window_ending,
            Order.MarkedOverdue: self.overdue,
            Order.Cancelled: self.withdrawn,
            Order.Rejected: self.withdrawn,
            Redemption.Requested: self.redemption,
            PhoneCheck.CodeSent: self.code_sent,
            InspectionPlan.Published: self.plan_published,
            InspectionPlan.Drawn: self.drawn,
            InspectionPlan.TargetReplaced: self.target_replaced,
            InspectionPlan.InspectorRecused: self.recused,
            Inbox.MessageRead: self.message_read,
            Preferences.Opened: self.prefs_opened,
            Preferences.Set: self.prefs_set,
            Delivery.Opened: self.delivery_opened,
            Delivery.Deferred: self.delivery_deferred,
            Delivery.Claimed: self.delivery_claimed,
            Delivery.Sent: self.delivery_sent,
            Delivery.Failed: self.delivery_failed,
            Delivery.GaveUp: self.delivery_gave_up,
            Delivery.Expired: self.delivery_expired,
            Delivery.InDoubt: self.delivery_in_doubt,
        }

    # -- the message: one row, and its SMS delivery ----------------------------------------

    def _send(
        self,
        tx: Tx,
        e: Any,
        kind: MessageKind,
        recipient: str,
        params: dict[str, Any],
        *,
        county_id: object,
        community_id: object | None,
        about_id: object | None = None,
        urgent: bool = False,
        valid_until: datetime | None = None,
    ) -> None:
        """`valid_until`: the deadline the message asks to be met by; its SMS is not sent
        after it (the inbox copy stands)."""
        spec = CATALOGUE[kind]
        shown = {k: _printable(str(v)) for k, v in params.items()}
        title, body = render(kind, shown)
        mid = message_id(source_key(e.originator_id, e.originator_version), kind, recipient)
        at = stored(e.timestamp)
        urgent = urgent or spec.urgent
        tx.execute(
            "INSERT INTO rm_msg_messages (message_id, recipient, kind, title, body, params,"
            " urgent, county_id, community_id, about_id, day, created_at, position)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (message_id) DO NOTHING",
            (
                str(mid),
                recipient,
                kind.code,
                title,
                body,
                _json(shown),
                int(urgent),
                str(county_id),
                None if community_id is None else str(community_id),
                None if about_id is None else str(about_id),
                business_date(e.timestamp).isoformat(),
                at,
                tx.position,
            ),
        )
        if not spec.sms or not self._wants_sms(tx, recipient, kind):
            return
        tx.execute(
            "INSERT INTO rm_msg_deliveries (delivery_id, message_id, channel, recipient, kind,"
            " urgent, county_id, community_id, status, attempts, next_attempt_at, lease_until,"
            " worker, provider_ref, last_error, created_at, updated_at, valid_until)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, NULL, '', '', '', ?, ?, ?)"
            " ON CONFLICT (delivery_id) DO NOTHING",
            (
                str(delivery_id(mid, Channel.SMS)),
                str(mid),
                Channel.SMS.code,
                recipient,
                kind.code,
                int(urgent),
                str(county_id),
                None if community_id is None else str(community_id),
                DeliveryStatus.PENDING.code,
                at,
                at,
                None if valid_until is None else stored(valid_until),
            ),
        )

    def _about_order(
        self,
        tx: Tx,
        e: Any,
        kind: MessageKind,
        recipient: str,
        order: dict[str, Any],
        deadline: datetime,
        *,
        urgent: bool = False,
        **more: Any,
    ) -> None:
        """A message about an order that asks for something by a deadline: its need and
        the deadline shown, the deadline its SMS is worth sending by (valid_until)."""
        self._send(
            tx,
            e,
            kind,
            recipient,
            {"need": order["need"], "deadline": local_text(deadline), **more},
            county_id=order["county_id"],
            community_id=order["community_id"],
            about_id=e.originator_id,
            urgent=urgent,
            valid_until=deadline,
        )

    def _wants_sms(self, tx: Tx, recipient: str, kind: MessageKind) -> bool:
        phone = tx.execute(
            "SELECT phone FROM rm_msg_people WHERE recipient = ?", (recipient,)
        ).scalar() or phone_of(recipient)
        if not phone:
            return False
        off = tx.execute(
            "SELECT sms_off FROM rm_msg_prefs WHERE recipient = ?", (recipient,)
        ).scalar()
        return off is None or kind.code not in orjson.loads(off)

    # -- places, people, preferences ---------------------------------------------------------

    def county_registered(self, tx: Tx, e: County.Registered) -> None:
        self._place(tx, str(e.originator_id), e.name, str(e.originator_id))

    def _place(self, tx: Tx, place_id: object, name: str, county_id: object) -> None:
        """A county, community, unit or inspection plan: its name and county."""
        tx.execute(
            "INSERT INTO rm_msg_places (place_id, name, county_id, overrides)"
            " VALUES (?, ?, ?, '{}') ON CONFLICT (place_id) DO NOTHING",
            (str(place_id), name, str(county_id)),
        )

    def unit_registered(self, tx: Tx, e: Unit.Registered) -> None:
        self._place(tx, e.originator_id, e.name, e.county_id)

    def policy_changed(self, tx: Tx, e: County.PolicyChanged) -> None:
        known = self._overrides(tx, e.originator_id)
        known.update({k: str(v) for k, v in e.overrides.items()})
        tx.execute(
            "UPDATE rm_msg_places SET overrides = ? WHERE place_id = ?",
            (_json(known), str(e.originator_id)),
        )

    def _overrides(self, tx: Tx, county_id: object) -> dict[str, Any]:
        raw = tx.execute(
            "SELECT overrides FROM rm_msg_places WHERE place_id = ?", (str(county_id),)
        ).scalar()
        found: dict[str, Any] = orjson.loads(raw) if raw else {}
        return found

    def _policy(self, tx: Tx, county_id: object) -> Policy:
        return DEFAULT_POLICY.recorded(self._overrides(tx, county_id))

    def community_registered(self, tx: Tx, e: Community.Registered) -> None:
        self._place(tx, str(e.originator_id), e.name, str(e.county_id))

    def _place_name(self, tx: Tx, place_id: object) -> str:
        name = tx.execute(
            "SELECT name FROM rm_msg_places WHERE place_id = ?", (str(place_id),)
        ).scalar()
        return str(name or "")

    def _person(self, tx: Tx, recipient: str, name: str, phone: str) -> None:
        tx.execute(
            "INSERT INTO rm_msg_people (recipient, name, phone) VALUES (?, ?, ?)"
            " ON CONFLICT (recipient) DO UPDATE SET name = excluded.name, phone = excluded.phone",
            (recipient, name, phone or ""),
        )

    def member_registered(self, tx: Tx, e: Member.Registered) -> None:
        self._person(tx, member_key(e.originator_id), e.name, e.phone)
        tx.execute(
            "INSERT INTO rm_msg_members (member_id, county_id, community_id, unit_id, name,"
            " approved, categories) VALUES (?, ?, ?, ?, ?, 0, '[]')"
            " ON CONFLICT (member_id) DO NOTHING",
            (str(e.originator_id), str(e.county_id), str(e.community_id), str(e.unit_id), e.name),
        )

    def resident_registered(self, tx: Tx, e: Resident.Registered) -> None:
        self._person(tx, resident_key(e.originator_id), e.name, e.phone)

    def _member(self, tx: Tx, member_id: object) -> dict[str, Any] | None:
        return tx.execute(
            "SELECT * FROM rm_msg_members WHERE member_id = ?", (str(member_id),)
        ).one()

    def member_approved(self, tx: Tx, e: Member.Approved) -> None:
        tx.execute(
            "UPDATE rm_msg_members SET approved = 1 WHERE member_id = ?", (str(e.originator_id),)
        )
        member = self._member(tx, e.originator_id)
        if member is None:
            return
        community = self._place_name(tx, member["community_id"])
        self._send(
            tx,
            e,
            K.REGISTRATION_APPROVED,
            member_key(e.originator_id),
            {"community": community},
            county_id=member["county_id"],
            community_id=member["community_id"],
        )

    def member_rejected(self, tx: Tx, e: Member.Rejected) -> None:
        tx.execute(
            "UPDATE rm_msg_members SET approved = 0 WHERE member_id = ?", (str(e.originator_id),)
        )
        member = self._member(tx, e.originator_id)
        if member is None:
            return
        self._send(
            tx,
            e,
            K.REGISTRATION_REJECTED,
            member_key(e.originator_id),
            {"community": self._place_name(tx, member["community_id"]), "reason": e.reason},
            county_id=member["county_id"],
            community_id=member["community_id"],
        )

    def skills(self, tx: Tx, e: Member.SkillsDeclared) -> None:
        tx.execute(
            "UPDATE rm_msg_members SET categories = ? WHERE member_id = ?",
            (_json([c.code for c in e.categories]), str(e.originator_id)),
        )

    def availability(self, tx: Tx, e: Member.AvailabilityDeclared) -> None:
        base = e.base
        tx.execute(
            "UPDATE rm_msg_members SET lat = ?, lon = ?, radius_km = ? WHERE member_id = ?",
            (
                None if base is None else str(base.lat),
                None if base is None else str(base.lon),
                str(e.service_radius_km),
                str(e.originator_id),
            ),
        )

    def member_reminded(self, tx: Tx, e: Member.Reminded) -> None:
        member = self._member(tx, e.originator_id)
        if member is None:
            return
        self._send(
            tx,
            e,
            K.REPORTING_REMINDER,
            member_key(e.originator_id),
            {"text": e.message},
            county_id=member["county_id"],
            community_id=member["community_id"],
        )

    def unit_reminded(self, tx: Tx, e: Unit.Reminded) -> None:
        county_id = tx.execute(
            "SELECT county_id FROM rm_msg_places WHERE place_id = ?", (str(e.originator_id),)
        ).scalar()
        if county_id is None:
            return
        self._send(
            tx,
            e,
            K.REPORTING_REMINDER,
            unit_key(e.originator_id),
            {"text": e.message},
            county_id=county_id,
            community_id=None,
        )

    def warned(self, tx: Tx, e: Member.Warned) -> None:
        member = self._member(tx, e.originator_id)
        if member is None:
            return
        params = {
            "name": "您",
            "year": e.year,
            "quarter": e.quarter,
            "services": e.services,
            "hours": hours_text(e.hours),
            "required_services": e.required_services,
            "required_hours": hours_text(e.required_hours),
        }
        where = {"county_id": member["county_id"], "community_id": member["community_id"]}
        if e.level is WarningLevel.YELLOW:
            self._send(tx, e, K.WARNING_YELLOW, member_key(e.originator_id), params, **where)
            return
        self._send(tx, e, K.WARNING_RED, member_key(e.originator_id), params, **where)
        to_unit = {**params, "name": f"党员{member['name']}"}
        self._send(tx, e, K.WARNING_RED, unit_key(e.unit_id), to_unit, **where)

    def prefs_opened(self, tx: Tx, e: Preferences.Opened) -> None:
        tx.execute(
            "INSERT INTO rm_msg_prefs (recipient, prefs_id, sms_off, nearby, updated_at)"
            " VALUES (?, ?, '[]', 0, ?) ON CONFLICT (recipient) DO NOTHING",
            (e.recipient, str(e.originator_id), stored(e.timestamp)),
        )

    def prefs_set(self, tx: Tx, e: Preferences.Set) -> None:
        tx.execute(
            "UPDATE rm_msg_prefs SET sms_off = ?, nearby = ?, updated_at = ? WHERE prefs_id = ?",
            (
                _json([k.code for k in e.sms_off]),
                int(e.nearby_needs),
                stored(e.timestamp),
                str(e.originator_id),
            ),
        )

    def message_read(self, tx: Tx, e: Inbox.MessageRead) -> None:
        tx.execute(
            "INSERT INTO rm_msg_reads (inbox_id, message_id, read_at) VALUES (?, ?, ?)"
            " ON CONFLICT (inbox_id, message_id) DO NOTHING",
            (str(e.originator_id), str(e.message_id), stored(e.timestamp)),
        )

    # -- needs -------------------------------------------------------------------------------

    def _order(self, tx: Tx, order_id: object) -> dict[str, Any] | None:
        return tx.execute("SELECT * FROM rm_msg_orders WHERE order_id = ?", (str(order_id),)).one()

    def _set_order(self, tx: Tx, order_id: object, **values: Any) -> None:
        columns = ", ".join(f"{name} = ?" for name in values)
        tx.execute(
            f"UPDATE rm_msg_orders SET {columns} WHERE order_id = ?",
            (*values.values(), str(order_id)),
        )

    def _take_remind_at(self, tx: Tx, county_id: object, deadline: datetime) -> str:
        lead = self._policy(tx, county_id).take_window_reminder_hours
        return stored(deadline - timedelta(hours=lead))

    def posted(self, tx: Tx, e: Order.Posted) -> None:
        tx.execute(
            "INSERT INTO rm_msg_orders (order_id, county_id, community_id, need, resident_id,"
            " posted_by, urgency, member_id, applicants, take_deadline, take_remind_at,"
            " rate_deadline, rate_remind_at, overdue_deadline)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, NULL, '[]', ?, ?, NULL, NULL, NULL)"
            " ON CONFLICT (order_id) DO NOTHING",
            (
                str(e.originator_id),
                str(e.county_id),
                str(e.community_id),
                _need(e.content),
                None if e.resident_id is None else str(e.resident_id),
                e.by,
                e.urgency.code,
                stored(e.take_deadline),
                self._take_remind_at(tx, e.county_id, e.take_deadline),
            ),
        )
        if e.location is not None:
            self._nearby(tx, e, e.location)

    def _nearby(self, tx: Tx, e: Order.Posted, where: GeoPoint) -> None:
        """附近新需求: each opted-in approved member of the county whose service area
        covers the need and whose skills include its category, up to the day's limit."""
        rows = tx.execute(
            "SELECT m.* FROM rm_msg_members m JOIN rm_msg_prefs p"
            " ON p.recipient = 'member:' || m.member_id"
            " WHERE p.nearby = 1 AND m.county_id = ? AND m.approved = 1"
            " AND m.lat IS NOT NULL AND m.radius_km IS NOT NULL ORDER BY m.member_id",
            (str(e.county_id),),
        ).all()
        limit = self._policy(tx, e.county_id).nearby_need_max_per_day
        day = business_date(e.timestamp).isoformat()
        for m in rows:
            if e.category.code not in orjson.loads(m["categories"]):
                continue
            base = GeoPoint(Decimal(m["lat"]), Decimal(m["lon"]))
            if distance_m(base, where) > Decimal(m["radius_km"]) * 1000:
                continue
            recipient = member_key(m["member_id"])
            sent = tx.execute(
                "SELECT COUNT(*) AS n FROM rm_msg_messages"
                " WHERE recipient = ? AND kind = ? AND day = ?",
                (recipient, K.NEARBY_NEED.code, day),
            ).scalar()
            if int(sent or 0) >= limit:
                continue
            self._send(
                tx,
                e,
                K.NEARBY_NEED,
                recipient,
                {
                    "need": _need(e.content),
                    "category": e.category.label,
                    "deadline": local_text(e.take_deadline),
                },
                valid_until=e.take_deadline,
                county_id=e.county_id,
                community_id=e.community_id,
                about_id=e.originator_id,
            )

    def take_requested(self, tx: Tx, e: Order.TakeRequested) -> None:
        order = self._order(tx, e.originator_id)
        if order is None:
            return
        applicants = orjson.loads(order["applicants"])
        if str(e.member_id) not in applicants:
            applicants.append(str(e.member_id))
        self._set_order(tx, e.originator_id, applicants=_json(applicants))

    def _dispatch(
        self, tx: Tx, e: Any, member_id: UUID, deadline: datetime, *, others: bool
    ) -> None:
        order = self._order(tx, e.originator_id)
        if order is None:
            return
        where = {"county_id": order["county_id"], "community_id": order["community_id"]}
        self._about_order(
            tx,
            e,
            K.DISPATCHED,
            member_key(member_id),
            order,
            deadline,
            urgent=order["urgency"] == Urgency.CRITICAL.code,
        )
        if others:
            for applicant in orjson.loads(order["applicants"]):
                if applicant != str(member_id):
                    self._send(
                        tx,
                        e,
                        K.APPLICATION_RESULT,
                        member_key(applicant),
                        {"need": order["need"], "result": "已派给其他党员，感谢您的报名"},
                        about_id=e.originator_id,
                        **where,
                    )
        self._set_order(
            tx,
            e.originator_id,
            member_id=str(member_id),
            applicants="[]",
            take_remind_at=None,
            overdue_deadline=stored(deadline),
        )

    def dispatched(self, tx: Tx, e: Order.Dispatched) -> None:
        self._dispatch(tx, e, e.member_id, e.overdue_deadline, others=True)

    def joint_meeting(self, tx: Tx, e: Order.JointMeetingDecided) -> None:
        if e.assignee_kind == "member" and e.assignee_id is not None:
            self._dispatch(tx, e, e.assignee_id, e.overdue_deadline, others=False)
        else:
            self._set_order(tx, e.originator_id, take_remind_at=None)

    def returned(self, tx: Tx, e: Order.ReturnedToMember) -> None:
        self._set_order(tx, e.originator_id, rate_remind_at=None)
        self._dispatch(tx, e, e.member_id, e.overdue_deadline, others=False)

    def declined(self, tx: Tx, e: Order.Declined) -> None:
        order = self._order(tx, e.originator_id)
        if order is None:
            return
        deadline = datetime.fromisoformat(order["take_deadline"])
        self._set_order(
            tx,
            e.originator_id,
            member_id=None,
            take_remind_at=self._take_remind_at(tx, order["county_id"], deadline),
        )

    def reopened(self, tx: Tx, e: Order.Reopened) -> None:
        order = self._order(tx, e.originator_id)
        if order is None:
            return
        self._set_order(
            tx,
            e.originator_id,
            member_id=None,
            applicants="[]",
            take_deadline=stored(e.take_deadline),
            take_remind_at=self._take_remind_at(tx, order["county_id"], e.take_deadline),
            rate_remind_at=None,
        )

    def take_window_over(self, tx: Tx, e: Order.MarkedUnclaimed) -> None:
        self._set_order(tx, e.originator_id, take_remind_at=None)

    def _raters(self, order: dict[str, Any]) -> list[str]:
        """Who rates a need: its resident; for a grid worker's 代发 also the grid worker."""
        raters = []
        if order["resident_id"]:
            raters.append(resident_key(order["resident_id"]))
        role, subject = split_ref(order["posted_by"])
        if role is Role.GRID_WORKER:
            raters.append(grid_key(order["community_id"], subject))
        return raters

    def completion_claimed(self, tx: Tx, e: Order.CompletionClaimed) -> None:
        order = self._order(tx, e.originator_id)
        if order is None:
            return
        lead = self._policy(tx, order["county_id"]).rating_window_reminder_hours
        self._set_order(
            tx,
            e.originator_id,
            rate_deadline=stored(e.rate_deadline),
            rate_remind_at=stored(e.rate_deadline - timedelta(hours=lead)),
        )
        for rater in self._raters(order):
            self._about_order(tx, e, K.RATING_REQUEST, rater, order, e.rate_deadline)

    def rating_over(self, tx: Tx, e: Any) -> None:
        self._set_order(tx, e.originator_id, rate_remind_at=None)

    def take_window_ending(self, tx: Tx, e: Order.TakeWindowEnding) -> None:
        order = self._order(tx, e.originator_id)
        if order is None:
            return
        self._set_order(tx, e.originator_id, take_remind_at=None)
        self._about_order(
            tx,
            e,
            K.TAKE_WINDOW_ENDING,
            community_key(order["community_id"]),
            order,
            e.take_deadline,
            applicants=e.applicants,
        )

    def rating_window_ending(self, tx: Tx, e: Order.RatingWindowEnding) -> None:
        order = self._order(tx, e.originator_id)
        if order is None:
            return
        self._set_order(tx, e.originator_id, rate_remind_at=None)
        for rater in self._raters(order):
            self._about_order(tx, e, K.RATING_WINDOW_ENDING, rater, order, e.rate_deadline)

    def overdue(self, tx: Tx, e: Order.MarkedOverdue) -> None:
        order = self._order(tx, e.originator_id)
        if order is None:
            return
        deadline = order["overdue_deadline"]
        self._send(
            tx,
            e,
            K.OVERDUE,
            community_key(order["community_id"]),
            {
                "need": order["need"],
                "deadline": local_text(datetime.fromisoformat(deadline)) if deadline else "",
            },
            county_id=order["county_id"],
            community_id=order["community_id"],
            about_id=e.originator_id,
        )

    def withdrawn(self, tx: Tx, e: Order.Cancelled | Order.Rejected) -> None:
        order = self._order(tx, e.originator_id)
        if order is None:
            return
        result = "已撤销" if isinstance(e, Order.Cancelled) else "已被社区驳回"
        for applicant in orjson.loads(order["applicants"]):
            self._send(
                tx,
                e,
                K.APPLICATION_RESULT,
                member_key(applicant),
                {"need": order["need"], "result": result},
                county_id=order["county_id"],
                community_id=order["community_id"],
                about_id=e.originator_id,
            )
        self._set_order(tx, e.originator_id, applicants="[]", take_remind_at=None)

    # -- 登录验证码 ----------------------------------------------------------------------------

    def code_sent(self, tx: Tx, e: PhoneCheck.CodeSent) -> None:
        """A sign-in code, to the phone only (no inbox). The message keeps the nonce, never
        the code: the worker derives the code at send time (domain.phone_check.code_for)."""
        minutes = max(1, round((e.expires_at - e.timestamp).total_seconds() / 60))
        self._send(
            tx,
            e,
            K.SIGN_IN_CODE,
            phone_key(e.phone),
            {"nonce": e.nonce, "minutes": minutes},
            county_id=SYSTEM_COUNTY,
            community_id=None,
            urgent=True,
            valid_until=e.expires_at,
        )

    # -- 积分, 两随机一公开 ----------------------------------------------------------------------

    def redemption(self, tx: Tx, e: Redemption.Requested) -> None:
        self._send(
            tx,
            e,
            K.REDEMPTION_CODE,
            member_key(e.member_id),
            {
                "item": e.item_name,
                "quantity": e.quantity,
                "points": e.points,
                "code": e.code,
                "deadline": local_text(e.expires_at),
            },
            valid_until=e.expires_at,
            county_id=e.county_id,
            community_id=e.community_id,
            about_id=e.originator_id,
        )

    def plan_published(self, tx: Tx, e: InspectionPlan.Published) -> None:
        self._place(tx, str(e.originator_id), e.title, str(e.county_id))

    def _assign(self, tx: Tx, e: Any, counts: dict[str, int]) -> None:
        plan = tx.execute(
            "SELECT name, county_id FROM rm_msg_places WHERE place_id = ?",
            (str(e.originator_id),),
        ).one()
        if plan is None:
            return
        for inspector, targets in sorted(counts.items()):
            self._send(
                tx,
                e,
                K.INSPECTION_ASSIGNMENT,
                inspector_key(inspector),
                {"plan": plan["name"], "targets": targets},
                county_id=plan["county_id"],
                community_id=None,
                about_id=e.originator_id,
            )

    def drawn(self, tx: Tx, e: InspectionPlan.Drawn) -> None:
        counts: dict[str, int] = {}
        for inspectors in e.assignments.values():
            for inspector in inspectors:
                counts[inspector] = counts.get(inspector, 0) + 1
        self._assign(tx, e, counts)

    def target_replaced(self, tx: Tx, e: InspectionPlan.TargetReplaced) -> None:
        self._assign(tx, e, {inspector: 1 for inspector in e.inspectors})

    def recused(self, tx: Tx, e: InspectionPlan.InspectorRecused) -> None:
        self._assign(tx, e, {e.replacement_id: 1})

    # -- deliveries ----------------------------------------------------------------------------

    def _delivery(self, tx: Tx, e: Any, **values: Any) -> None:
        values["updated_at"] = stored(e.timestamp)
        columns = ", ".join(f"{name} = ?" for name in values)
        tx.execute(
            f"UPDATE rm_msg_deliveries SET {columns} WHERE delivery_id = ?",
            (*values.values(), str(e.originator_id)),
        )

    def delivery_opened(self, tx: Tx, e: Delivery.Opened) -> None:
        self._delivery(tx, e)

    def delivery_deferred(self, tx: Tx, e: Delivery.Deferred) -> None:
        self._delivery(tx, e, status=DeliveryStatus.DEFERRED.code, next_attempt_at=stored(e.until))

    def delivery_claimed(self, tx: Tx, e: Delivery.Claimed) -> None:
        self._delivery(
            tx,
            e,
            status=DeliveryStatus.CLAIMED.code,
            attempts=e.attempt,
            worker=e.worker,
            lease_until=stored(e.lease_until),
        )

    def delivery_sent(self, tx: Tx, e: Delivery.Sent) -> None:
        self._delivery(
            tx, e, status=DeliveryStatus.SENT.code, provider_ref=e.provider_ref, lease_until=None
        )

    def delivery_failed(self, tx: Tx, e: Delivery.Failed) -> None:
        self._delivery(
            tx,
            e,
            status=DeliveryStatus.FAILED.code,
            last_error=e.error,
            next_attempt_at=stored(e.next_attempt_at),
            lease_until=None,
        )

    def delivery_gave_up(self, tx: Tx, e: Delivery.GaveUp) -> None:
        self._delivery(
            tx, e, status=DeliveryStatus.GAVE_UP.code, last_error=e.error, lease_until=None
        )

    def delivery_expired(self, tx: Tx, e: Delivery.Expired) -> None:
        self._delivery(
            tx,
            e,
            status=DeliveryStatus.EXPIRED.code,
            last_error=e.reason,
            lease_until=None,
        )

    def delivery_in_doubt(self, tx: Tx, e: Delivery.InDoubt) -> None:
        self._delivery(
            tx, e, status=DeliveryStatus.IN_DOUBT.code, last_error=e.reason, lease_until=None
        )


# -- queries --------------------------------------------------------------------------------


def _inbox_ids(keys: Sequence[str]) -> list[str]:
    from domain.delivery import inbox_id

    return [str(inbox_id(k)) for k in keys]


def _marks(items: Sequence[object]) -> str:
    return ",".join("?" * len(items))


MESSAGE_COLUMNS = (
    "m.message_id, m.recipient, m.kind, m.title, m.body, m.urgent, m.community_id,"
    " m.about_id, m.created_at, r.read_at"
)


def _message_row(row: dict[str, Any]) -> dict[str, Any]:
    kind = MessageKind.from_code(row["kind"])
    return {
        "message_id": row["message_id"],
        "recipient": row["recipient"],
        "kind": kind.code,
        "kind_label": kind.label,
        "title": row["title"],
        "body": row["body"],
        "urgent": bool(row["urgent"]),
        "community_id": row["community_id"],
        "about_id": row["about_id"],
        "created_at": row["created_at"],
        "read": row["read_at"] is not None,
        "read_at": row["read_at"],
    }


def _reads_join(keys: Sequence[str]) -> tuple[str, list[str]]:
    ids = _inbox_ids(keys)
    return (
        " LEFT JOIN rm_msg_reads r ON r.message_id = m.message_id"
        f" AND r.inbox_id IN ({_marks(ids)})",
        ids,
    )


def inbox(
    store: ReadStore, keys: Sequence[str], *, unread_only: bool, page: int, page_size: int
) -> dict[str, Any]:
    """The recipient's messages, newest first, with the total and the unread count."""
    if not keys:
        return {"total": 0, "unread": 0, "page": page, "size": page_size, "items": []}
    join, ids = _reads_join(keys)
    where = f" WHERE m.recipient IN ({_marks(keys)})"
    unread_where = where + " AND r.read_at IS NULL"
    chosen = unread_where if unread_only else where
    with store.read() as tx:
        total = tx.execute(
            f"SELECT COUNT(*) AS n FROM rm_msg_messages m{join}{chosen}", [*ids, *keys]
        ).scalar()
        unread = tx.execute(
            f"SELECT COUNT(*) AS n FROM rm_msg_messages m{join}{unread_where}", [*ids, *keys]
        ).scalar()
        rows = tx.execute(
            f"SELECT {MESSAGE_COLUMNS} FROM rm_msg_messages m{join}{chosen}"
            " ORDER BY m.created_at DESC, m.message_id LIMIT ? OFFSET ?",
            [*ids, *keys, page_size, (page - 1) * page_size],
        ).all()
    return {
        "total": int(total or 0),
        "unread": int(unread or 0),
        "page": page,
        "size": page_size,
        "items": [_message_row(r) for r in rows],
    }


def unread_count(store: ReadStore, keys: Sequence[str]) -> int:
    return int(inbox(store, keys, unread_only=True, page=1, page_size=1)["unread"])


def message_of(store: ReadStore, keys: Sequence[str], message_id_: str) -> dict[str, Any] | None:
    """One message, if it is in one of these inboxes."""
    if not keys:
        return None
    join, ids = _reads_join(keys)
    with store.read() as tx:
        row = tx.execute(
            f"SELECT {MESSAGE_COLUMNS} FROM rm_msg_messages m{join}"
            f" WHERE m.message_id = ? AND m.recipient IN ({_marks(keys)})",
            [*ids, message_id_, *keys],
        ).one()
    return None if row is None else _message_row(row)


def preferences(store: ReadStore, recipient: str) -> dict[str, Any]:
    with store.read() as tx:
        row = tx.execute(
            "SELECT sms_off, nearby, updated_at FROM rm_msg_prefs WHERE recipient = ?",
            (recipient,),
        ).one()
    return {
        "recipient": recipient,
        "sms_off": [] if row is None else orjson.loads(row["sms_off"]),
        "nearby_needs": bool(row and row["nearby"]),
        "updated_at": None if row is None else row["updated_at"],
    }


def due_deliveries(store: ReadStore, now: datetime, limit: int = 100) -> list[dict[str, Any]]:
    """Deliveries a worker may try now: pending, failed or deferred and due, and claims
    whose lease ran out (the aggregate turns those into 'in doubt', never a resend)."""
    at = stored(now)
    with store.read() as tx:
        return tx.execute(
            "SELECT * FROM rm_msg_deliveries WHERE"
            " (status IN ('pending', 'failed', 'deferred')"
            "  AND (next_attempt_at IS NULL OR next_attempt_at <= ?))"
            " OR (status = 'claimed' AND lease_until <= ?)"
            " ORDER BY urgent DESC, created_at, delivery_id LIMIT ?",
            (at, at, limit),
        ).all()


def expired_claims(store: ReadStore, now: datetime, limit: int = 1000) -> list[str]:
    with store.read() as tx:
        rows = tx.execute(
            "SELECT delivery_id FROM rm_msg_deliveries WHERE status = 'claimed'"
            " AND lease_until <= ? ORDER BY delivery_id LIMIT ?",
            (stored(now), limit),
        ).all()
    return [r["delivery_id"] for r in rows]


def to_send(store: ReadStore, delivery_id_: str) -> dict[str, Any] | None:
    """What the worker sends: the message's kind and parameters and the phone now."""
    with store.read() as tx:
        row = tx.execute(
            "SELECT d.delivery_id, d.message_id, d.kind, d.recipient, m.params, p.phone"
            " FROM rm_msg_deliveries d JOIN rm_msg_messages m ON m.message_id = d.message_id"
            " LEFT JOIN rm_msg_people p ON p.recipient = d.recipient WHERE d.delivery_id = ?",
            (delivery_id_,),
        ).one()
    if row is None:
        return None
    row["params"] = orjson.loads(row["params"])
    row["phone"] = row["phone"] or phone_of(row["recipient"])
    return row


def reminder_candidates(store: ReadStore, now: datetime, limit: int = 1000) -> list[str]:
    """Needs whose take or rating window ends within its reminder lead time and whose
    reminder is not yet recorded (the order decides with its county's policy)."""
    at = stored(now)
    with store.read() as tx:
        rows = tx.execute(
            "SELECT order_id FROM rm_msg_orders WHERE"
            " (take_remind_at <= ? AND take_deadline > ?)"
            " OR (rate_remind_at <= ? AND rate_deadline > ?)"
            " ORDER BY order_id LIMIT ?",
            (at, at, at, at, limit),
        ).all()
    return [r["order_id"] for r in rows]


def community_deliveries(
    store: ReadStore,
    community_id: str,
    *,
    statuses: Iterable[str],
    page: int,
    page_size: int,
) -> dict[str, Any]:
    """The community's SMS deliveries, newest first (failed, given up, in doubt …)."""
    chosen = list(statuses)
    where = " WHERE d.community_id = ?"
    params: list[Any] = [community_id]
    if chosen:
        where += f" AND d.status IN ({_marks(chosen)})"
        params += chosen
    with store.read() as tx:
        total = tx.execute(f"SELECT COUNT(*) AS n FROM rm_msg_deliveries d{where}", params).scalar()
        rows = tx.execute(
            "SELECT d.*, m.title, p.name AS recipient_name FROM rm_msg_deliveries d"
            " JOIN rm_msg_messages m ON m.message_id = d.message_id"
            f" LEFT JOIN rm_msg_people p ON p.recipient = d.recipient{where}"
            " ORDER BY d.updated_at DESC, d.delivery_id LIMIT ? OFFSET ?",
            [*params, page_size, (page - 1) * page_size],
        ).all()
    items = []
    for r in rows:
        status = DeliveryStatus.from_code(r["status"])
        kind = MessageKind.from_code(r["kind"])
        items.append(
            {
                "delivery_id": r["delivery_id"],
                "message_id": r["message_id"],
                "channel": r["channel"],
                "recipient": r["recipient"],
                "recipient_name": r["recipient_name"] or "",
                "kind": kind.code,
                "kind_label": kind.label,
                "title": r["title"],
                "urgent": bool(r["urgent"]),
                "status": status.code,
                "status_label": status.label,
                "attempts": int(r["attempts"]),
                "next_attempt_at": r["next_attempt_at"],
                "last_error": r["last_error"],
                "provider_ref": r["provider_ref"],
                "created_at": r["created_at"],
                "updated_at": r["updated_at"],
            }
        )
    return {"total": int(total or 0), "page": page, "size": page_size, "items": items}
