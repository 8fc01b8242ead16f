"""Accounts, their grants, their sessions and their sign-in history (issue 14).

What every request with an access token asks (`live_session`: one indexed query over
sessions, accounts and grants): is the session live, the account enabled and the grant
still held. A command that ends sessions answers once the read models include it
(api.context.command_response), so a revocation is effective at the next request.
"""

from __future__ import annotations

from typing import Any

from domain.account import Account, phone_account_id
from domain.actors import Role
from domain.masking import phone_as_read
from domain.phone_check import PhoneCheck
from domain.session import Session
from projections.base import Handler, Projection
from projections.directory import iso
from projections.store import ReadStore, Tx


class Accounts(Projection):
    name = "rm_accounts"
    version = 1
    tables = (
        "rm_acc_accounts",
        "rm_acc_grants",
        "rm_acc_sessions",
        "rm_acc_signins",
        "rm_acc_phone_checks",
    )
    ddl = (
        "CREATE TABLE IF NOT EXISTS rm_acc_accounts ("
        " account_id TEXT PRIMARY KEY, kind TEXT NOT NULL, login TEXT NOT NULL,"
        " phone TEXT NOT NULL, name TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,"
        " must_change INTEGER NOT NULL DEFAULT 0, totp INTEGER NOT NULL DEFAULT 0,"
        " locked_until TEXT, last_sign_in TEXT, opened_at TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS rm_acc_grants ("
        " grant_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, role TEXT NOT NULL,"
        " scope_id TEXT, subject TEXT NOT NULL, county_id TEXT, community_id TEXT,"
        " revoked INTEGER NOT NULL DEFAULT 0, granted_at TEXT NOT NULL, revoked_at TEXT)",
        "CREATE INDEX IF NOT EXISTS rm_acc_grants_account ON rm_acc_grants (account_id)",
        "CREATE INDEX IF NOT EXISTS rm_acc_grants_county ON rm_acc_grants (county_id)",
        "CREATE INDEX IF NOT EXISTS rm_acc_grants_community ON rm_acc_grants (community_id)",
        "CREATE TABLE IF NOT EXISTS rm_acc_sessions ("
        " session_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, grant_id TEXT,"
        " generation INTEGER NOT NULL DEFAULT 0, restricted INTEGER NOT NULL,"
        " started_at TEXT NOT NULL, ended_at TEXT, ended_reason TEXT)",
        "CREATE INDEX IF NOT EXISTS rm_acc_sessions_account ON rm_acc_sessions (account_id)",
        "CREATE TABLE IF NOT EXISTS rm_acc_signins ("
        " account_id TEXT NOT NULL, position INTEGER NOT NULL, at TEXT NOT NULL,"
        " method TEXT NOT NULL, outcome TEXT NOT NULL, reason TEXT NOT NULL,"
        " address TEXT NOT NULL, PRIMARY KEY (account_id, position))",
        "CREATE TABLE IF NOT EXISTS rm_acc_phone_checks ("
        " check_id TEXT PRIMARY KEY, phone TEXT NOT NULL)",
    )

    def handlers(self) -> dict[type, Handler]:
        return {
            Account.Opened: self.opened,
            Account.GrantAdded: self.grant_added,
            Account.GrantRevoked: self.grant_revoked,
            Account.PasswordSet: self.password_set,
            Account.TotpConfirmed: self.totp_confirmed,
            Account.TotpRemoved: self.totp_removed,
            Account.SignInSucceeded: self.signed_in,
            Account.SignInFailed: self.sign_in_failed,
            Account.Locked: self.locked,
            Account.Disabled: self.disabled,
            Account.Enabled: self.enabled,
            Session.Started: self.session_started,
            Session.Refreshed: self.session_refreshed,
            Session.Ended: self.session_ended,
            PhoneCheck.Opened: self.check_opened,
            PhoneCheck.CodeFailed: self.code_failed,
        }

    # -- accounts ------------------------------------------------------------------------

    def _set(self, tx: Tx, account_id: object, column: str, value: Any) -> None:
        tx.execute(
            f"UPDATE rm_acc_accounts SET {column} = ? WHERE account_id = ?",
            (value, str(account_id)),
        )

    def opened(self, tx: Tx, e: Account.Opened) -> None:
        tx.execute(
            "INSERT INTO rm_acc_accounts (account_id, kind, login, phone, name, opened_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (str(e.originator_id), e.kind, e.login, e.phone, e.name, iso(e.timestamp)),
        )

    def grant_added(self, tx: Tx, e: Account.GrantAdded) -> None:
        tx.execute(
            "INSERT INTO rm_acc_grants (grant_id, account_id, role, scope_id, subject,"
            " county_id, community_id, granted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (grant_id) DO UPDATE SET revoked = 0, revoked_at = NULL,"
            " subject = excluded.subject, granted_at = excluded.granted_at",
            (
                str(e.grant_id),
                str(e.originator_id),
                e.role,
                None if e.scope_id is None else str(e.scope_id),
                e.subject,
                None if e.county_id is None else str(e.county_id),
                None if e.community_id is None else str(e.community_id),
                iso(e.timestamp),
            ),
        )

    def grant_revoked(self, tx: Tx, e: Account.GrantRevoked) -> None:
        tx.execute(
            "UPDATE rm_acc_grants SET revoked = 1, revoked_at = ? WHERE grant_id = ?",
            (iso(e.timestamp), str(e.grant_id)),
        )

    def password_set(self, tx: Tx, e: Account.PasswordSet) -> None:
        self._set(tx, e.originator_id, "must_change", int(e.must_change))
        self._set(tx, e.originator_id, "locked_until", None)

    def totp_confirmed(self, tx: Tx, e: Account.TotpConfirmed) -> None:
        self._set(tx, e.originator_id, "totp", 1)

    def totp_removed(self, tx: Tx, e: Account.TotpRemoved) -> None:
        self._set(tx, e.originator_id, "totp", 0)

    def _signin(
        self,
        tx: Tx,
        account_id: object,
        at: Any,
        method: str,
        outcome: str,
        reason: str,
        address: str,
    ) -> None:
        tx.execute(
            "INSERT INTO rm_acc_signins (account_id, position, at, method, outcome, reason,"
            " address) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (account_id, position) DO NOTHING",
            (str(account_id), tx.position, iso(at), method, outcome, reason, address),
        )

    def signed_in(self, tx: Tx, e: Account.SignInSucceeded) -> None:
        self._signin(tx, e.originator_id, e.timestamp, e.method, "succeeded", "", e.address)
        self._set(tx, e.originator_id, "last_sign_in", iso(e.timestamp))
        self._set(tx, e.originator_id, "locked_until", None)

    def sign_in_failed(self, tx: Tx, e: Account.SignInFailed) -> None:
        self._signin(tx, e.originator_id, e.timestamp, e.method, "failed", e.reason, e.address)

    def locked(self, tx: Tx, e: Account.Locked) -> None:
        self._set(tx, e.originator_id, "locked_until", iso(e.until))

    def disabled(self, tx: Tx, e: Account.Disabled) -> None:
        self._set(tx, e.originator_id, "disabled", 1)

    def enabled(self, tx: Tx, e: Account.Enabled) -> None:
        self._set(tx, e.originator_id, "disabled", 0)

    # -- sessions ------------------------------------------------------------------------

    def session_started(self, tx: Tx, e: Session.Started) -> None:
        tx.execute(
            "INSERT INTO rm_acc_sessions (session_id, account_id, grant_id, restricted,"
            " started_at) VALUES (?, ?, ?, ?, ?)",
            (
                str(e.originator_id),
                str(e.account_id),
                None if e.grant_id is None else str(e.grant_id),
                int(e.restricted),
                iso(e.timestamp),
            ),
        )

    def session_refreshed(self, tx: Tx, e: Session.Refreshed) -> None:
        tx.execute(
            "UPDATE rm_acc_sessions SET generation = ? WHERE session_id = ?",
            (e.generation, str(e.originator_id)),
        )

    def session_ended(self, tx: Tx, e: Session.Ended) -> None:
        tx.execute(
            "UPDATE rm_acc_sessions SET ended_at = ?, ended_reason = ? WHERE session_id = ?",
            (iso(e.timestamp), e.reason, str(e.originator_id)),
        )

    # -- phone codes: a wrong code is a failed sign-in of the phone's account ---------------

    def check_opened(self, tx: Tx, e: PhoneCheck.Opened) -> None:
        tx.execute(
            "INSERT INTO rm_acc_phone_checks (check_id, phone) VALUES (?, ?)",
            (str(e.originator_id), e.phone),
        )

    def code_failed(self, tx: Tx, e: PhoneCheck.CodeFailed) -> None:
        phone = tx.execute(
            "SELECT phone FROM rm_acc_phone_checks WHERE check_id = ?", (str(e.originator_id),)
        ).scalar()
        if phone is not None:
            account_id = phone_account_id(phone)
            self._signin(tx, account_id, e.timestamp, "phone_code", "failed", "wrong_code", "")


# -- queries -------------------------------------------------------------------------------


def live_session(store: ReadStore, session_id: str) -> dict[str, Any] | None:
    """The session with its account's and grant's state, in one indexed query."""
    with store.read() as tx:
        return tx.execute(
            "SELECT s.session_id, s.account_id, s.grant_id, s.ended_reason, s.restricted,"
            " a.disabled, g.revoked FROM rm_acc_sessions s"
            " JOIN rm_acc_accounts a ON a.account_id = s.account_id"
            " LEFT JOIN rm_acc_grants g ON g.grant_id = s.grant_id"
            " WHERE s.session_id = ?",
            (session_id,),
        ).one()


def _grants(tx: Tx, account_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {a: [] for a in account_ids}
    if not account_ids:
        return out
    marks = ",".join("?" * len(account_ids))
    rows = tx.execute(
        "SELECT grant_id, account_id, role, scope_id, subject, county_id, community_id,"
        f" revoked, granted_at FROM rm_acc_grants WHERE account_id IN ({marks})"
        " ORDER BY granted_at, grant_id",
        account_ids,
    ).all()
    for r in rows:
        out[r["account_id"]].append(
            {
                "grant_id": r["grant_id"],
                "role": r["role"],
                "scope_id": r["scope_id"],
                "subject": r["subject"],
                "county_id": r["county_id"],
                "community_id": r["community_id"],
                "active": not r["revoked"],
                "granted_at": r["granted_at"],
            }
        )
    return out


def _view(
    row: dict[str, Any], grants: list[dict[str, Any]], reader: Role | None = None
) -> dict[str, Any]:
    """An account as `reader` may see it (None: its own holder): a phone through the one
    masking rule (domain.masking.phone_as_read: the community's staff see it in full)."""
    phone = row["phone"] if reader is None else phone_as_read(row["phone"], reader)
    return {
        "account_id": row["account_id"],
        "kind": row["kind"],
        "login": row["login"],
        "phone": phone,
        "name": row["name"],
        "disabled": bool(row["disabled"]),
        "must_change_password": bool(row["must_change"]),
        "totp": bool(row["totp"]),
        "locked_until": row["locked_until"],
        "last_sign_in": row["last_sign_in"],
        "opened_at": row["opened_at"],
        "grants": grants,
    }


def get_account(store: ReadStore, account_id: str) -> dict[str, Any] | None:
    with store.read() as tx:
        row = tx.execute("SELECT * FROM rm_acc_accounts WHERE account_id = ?", (account_id,)).one()
        if row is None:
            return None
        return _view(row, _grants(tx, [account_id])[account_id])


def accounts_in(
    store: ReadStore,
    *,
    county_id: str | None,
    community_id: str | None,
    page: int,
    size: int,
    reader: Role,
) -> tuple[int, list[dict[str, Any]]]:
    """The accounts holding a grant in a county (or a community), by name, a page."""
    column, value = ("community_id", community_id) if community_id else ("county_id", county_id)
    with store.read() as tx:
        where = f"account_id IN (SELECT account_id FROM rm_acc_grants WHERE {column} = ?)"
        total = tx.execute(f"SELECT COUNT(*) FROM rm_acc_accounts WHERE {where}", (value,)).scalar()
        rows = tx.execute(
            f"SELECT * FROM rm_acc_accounts WHERE {where}"
            " ORDER BY name, login, account_id LIMIT ? OFFSET ?",
            (value, size, (page - 1) * size),
        ).all()
        grants = _grants(tx, [r["account_id"] for r in rows])
    return int(total or 0), [_view(r, grants[r["account_id"]], reader) for r in rows]


def sign_ins(
    store: ReadStore, account_id: str, page: int, size: int
) -> tuple[int, list[dict[str, Any]]]:
    """An account's sign-ins and failures, newest first."""
    with store.read() as tx:
        total = tx.execute(
            "SELECT COUNT(*) FROM rm_acc_signins WHERE account_id = ?", (account_id,)
        ).scalar()
        rows = tx.execute(
            "SELECT at, method, outcome, reason, address FROM rm_acc_signins"
            " WHERE account_id = ? ORDER BY position DESC LIMIT ? OFFSET ?",
            (account_id, size, (page - 1) * size),
        ).all()
    return int(total or 0), rows


def first_of_each(store: ReadStore, county_id: str) -> dict[str, dict[str, Any] | None]:
    """One of each kind of person and place in a county (the demo's accounts): a
    community, a unit, an inspector, a partner, an approved member and a resident with a
    phone (the one with most messages); None where the county has none."""
    queries = {
        "community": "SELECT community_id AS id, name FROM rm_communities WHERE county_id = ?"
        " ORDER BY code",
        "unit": "SELECT unit_id AS id, name FROM rm_units WHERE county_id = ? ORDER BY name",
        "inspector": "SELECT inspector_id AS id, name FROM rm_insp_inspectors"
        " WHERE county_id = ? AND active = 1 ORDER BY name",
        "partner": "SELECT partner_id AS id, name, community_id FROM rm_partners"
        " WHERE county_id = ? ORDER BY name",
        "member": "SELECT member_id AS id, name, phone FROM rm_members WHERE county_id = ?"
        " AND status = 'approved' AND phone <> '' ORDER BY registered_at, member_id",
        "resident": "SELECT r.resident_id AS id, r.name, r.phone, r.community_id"
        " FROM rm_residents r JOIN rm_communities c ON c.community_id = r.community_id"
        " WHERE c.county_id = ? AND r.phone <> ''"
        # the one with most in their inbox, so the demo's resident has something to read
        " ORDER BY (SELECT COUNT(*) FROM rm_msg_messages m"
        " WHERE m.recipient = 'resident:' || r.resident_id) DESC,"
        " r.registered_at, r.resident_id",
    }
    with store.read() as tx:
        return {
            kind: tx.execute(f"{sql} LIMIT 1", (county_id,)).one() for kind, sql in queries.items()
        }
