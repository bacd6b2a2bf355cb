"""Store mixin: the ``deliveries`` ledger behind exactly-once email per edition and recipient.

A delivery moves ``sending`` -> ``sent`` (or ``failed``). ``claim_delivery``
is the gate: it refuses a recipient already ``sent``, and one another process
is sending right now (a ``sending`` row younger than ``STALE``). A ``sending``
row older than that is from a process that died mid-send; it is claimed again
and the message is re-sent with the same Message-ID, so a receiving system can
recognise the duplicate in the rare case the first attempt did get through.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from digest.store import schema as t

STALE = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Delivery:
    edition_date: dt.date
    recipient: str
    message_id: str
    status: str  # "sending" | "sent" | "failed"
    attempts: int
    updated: dt.datetime
    sent_at: dt.datetime | None = None
    error: str | None = None


def _delivery(row: sa.Row) -> Delivery:
    m = row._mapping
    return Delivery(dt.date.fromisoformat(m["edition_date"]), m["recipient"], m["message_id"], m["status"],
                    m["attempts"], m["updated"], m["sent_at"], m["error"])


def _where(date: dt.date, recipient: str) -> sa.ColumnElement[bool]:
    return sa.and_(t.deliveries.c.edition_date == date.isoformat(), t.deliveries.c.recipient == recipient)


class DeliveriesMixin:
    """Methods of SQLStore for the deliveries ledger (mixed into SQLStore)."""

    engine: Engine

    def delivery(self, date: dt.date, recipient: str) -> Delivery | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t.deliveries).where(_where(date, recipient))).first()
        return _delivery(row) if row else None

    def deliveries(self, date: dt.date | None = None) -> list[Delivery]:
        query = sa.select(t.deliveries).order_by(t.deliveries.c.edition_date, t.deliveries.c.recipient)
        if date is not None:
            query = query.where(t.deliveries.c.edition_date == date.isoformat())
        with self.engine.connect() as conn:
            return [_delivery(r) for r in conn.execute(query)]

    def claim_delivery(self, date: dt.date, recipient: str, message_id: str, now: dt.datetime) -> bool:
        """Mark (date, recipient) as being sent by us; False if sent already or in flight elsewhere."""
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(t.deliveries).where(_where(date, recipient))).first()
            if row is None:
                conn.execute(t.deliveries.insert().values(
                    edition_date=date.isoformat(), recipient=recipient, message_id=message_id,
                    status="sending", attempts=0, updated=now))
                return True
            current = _delivery(row)
            if current.status == "sent" or (current.status == "sending" and now - current.updated < STALE):
                return False
            result = conn.execute(t.deliveries.update().where(
                _where(date, recipient), t.deliveries.c.status == current.status,
                t.deliveries.c.updated == current.updated).values(status="sending", updated=now, error=None))
            return result.rowcount == 1

    def record_attempt(self, date: dt.date, recipient: str, now: dt.datetime, error: str | None = None) -> None:
        """Count one SMTP attempt (and its error, if it failed) while still ``sending``."""
        with self.engine.begin() as conn:
            conn.execute(t.deliveries.update().where(_where(date, recipient)).values(
                attempts=t.deliveries.c.attempts + 1, updated=now, error=error))

    def finish_delivery(self, date: dt.date, recipient: str, now: dt.datetime, error: str | None = None) -> None:
        """``sent`` (no error) or ``failed`` (with the last error)."""
        values: dict[str, object] = {"status": "failed" if error else "sent", "updated": now, "error": error}
        if not error:
            values["sent_at"] = now
        with self.engine.begin() as conn:
            conn.execute(t.deliveries.update().where(_where(date, recipient)).values(**values))


__all__ = ["DeliveriesMixin", "Delivery", "STALE"]
