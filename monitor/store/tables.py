"""The state schema (SQLAlchemy Core). Alembic migrations in ``migrations/`` create it."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(512), nullable=False, unique=True),
    Column("kind", String(64), nullable=False),
    Column("entity", String(512), nullable=False),
    Column("url", Text, nullable=False, default=""),
    Column("interval_s", Integer, nullable=False),
    Column("next_check_at", DateTime, nullable=False),
    Column("last_checked_at", DateTime),
    Column("last_success_at", DateTime),
    Column("last_change_at", DateTime),
    Column("last_error", Text),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("healthy", Boolean, nullable=False, default=True),
    Column("health_reason", Text),
    Column("etag", Text),  # exactly as the server sent it
    Column("last_modified", Text),  # exactly as the server sent it
    Column("content_hash", String(64)),
    Column("fingerprint", String(64)),  # officers_hash of the reference snapshot
    Column("pending_fingerprint", String(64)),  # a held-back suspicious observation
    Column("held_since", DateTime),  # the first of the held checks in a row
    Column("retired_at", DateTime),  # no longer in the watch list
    Column("created_at", DateTime, nullable=False),
)

snapshots = Table(
    "snapshots",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("retrieved_at", DateTime, nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("url", Text, nullable=False, default=""),
    Column("officers", JSON, nullable=False),
    Index("ix_snapshots_source", "source_id", "id"),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="SET NULL")),
    Column("snapshot_id", Integer, ForeignKey("snapshots.id", ondelete="SET NULL")),
    Column("change", String(32), nullable=False),
    Column("person", String(512), nullable=False),
    Column("person_key", String(512), nullable=False),
    Column("company", String(512), nullable=False),
    Column("company_key", String(512), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("previous_roles", JSON, nullable=False),
    Column("effective_date", String(32)),  # when it happened, as the source says
    Column("published_date", String(32)),  # filed or published, where known
    Column("detected_at", DateTime, nullable=False),  # when the monitor saw it
    Column("evidence", Text, nullable=False, default=""),
    Column("source_name", String(512), nullable=False, default=""),
    Column("url", Text, nullable=False, default=""),
    Column("origin", String(16), nullable=False, default="registry"),
    Column("confidence", Float, nullable=False, default=1.0),
    Column("confirmed_at", DateTime),
    Column("read_at", DateTime),  # opened or marked read on the dashboard
    Column("role_text", Text),  # the roles as the source wrote them
    Column("previous_role_text", Text),
    Index("ix_events_person", "person_key"),
    Index("ix_events_detected", "detected_at"),
    Index("ix_events_read", "read_at"),
)

# The alert outbox: one row per (event, channel), written in the transaction that
# stores the event, so an alert survives any crash between detection and delivery.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(255), nullable=False, unique=True),  # idempotency key
    # The event alerted about; none for an operator alert, which carries its `message`.
    Column("event_id", Integer, ForeignKey("events.id", ondelete="CASCADE")),
    Column("channel", String(255), nullable=False),
    Column("mode", String(16), nullable=False, default="immediate"),  # immediate | digest
    Column("kind", String(16), nullable=False, default="alert"),  # alert|confirmed|operator
    Column("fallback_of", String(255)),  # the channel this row stands in for
    Column("note", Text),  # why it was rerouted, shown in the message
    Column("message", JSON),  # operator alerts: {"title": ..., "body": ...}
    Column("status", String(16), nullable=False, default="pending"),  # pending|sending|sent|dead
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime, nullable=False),
    Column("claim_token", String(32)),
    Column("claimed_until", DateTime),
    # host/boot id/pid/start time of the claiming process: a successor on the same host
    # takes the claims of a process that is gone at once, not when the lease ends.
    Column("claimed_by", String(255)),
    # The idempotency key of the message that carried this row in a batch: a batch sent
    # again (after a crash, or a retry) is the same rows under the same key.
    Column("message_key", String(64)),
    Column("last_error", Text),
    Column("created_at", DateTime, nullable=False),
    Column("sent_at", DateTime),
    Index("ix_deliveries_due", "status", "next_attempt_at"),
)

# Every piece of evidence for an event: the registry row or page that showed it and
# each article that reported it. One change told by several articles is one event.
event_evidence = Table(
    "event_evidence",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", Integer, ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    Column("origin", String(16), nullable=False),  # registry | news
    Column("source_name", String(512), nullable=False, default=""),
    Column("url", Text, nullable=False, default=""),
    Column("title", Text, nullable=False, default=""),
    Column("evidence", Text, nullable=False, default=""),
    Column("published_date", String(32)),
    Column("confidence", Float, nullable=False, default=1.0),
    Column("added_at", DateTime, nullable=False),
    Index("ix_event_evidence_event", "event_id"),
)

# The entries each news source has read (its link, else the feed's entry id), so an
# article is read once.
news_seen = Table(
    "news_seen",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(1024), nullable=False),
    Column("seen_at", DateTime, nullable=False),
    Column("listed_at", DateTime, nullable=False),  # last time the listing showed it
    UniqueConstraint("source_id", "key", name="uq_news_seen_source_key"),
    Index("ix_news_seen_source_listed", "source_id", "listed_at"),
)

# Reviews of events on the dashboard: who looked, when, what they concluded. Append-only,
# so the table is the audit trail.
reviews = Table(
    "reviews",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", Integer, ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    Column("reviewer", String(200), nullable=False),
    Column("comment", Text, nullable=False, server_default=""),
    Column("reviewed_at", DateTime, nullable=False),
    Index("ix_reviews_event", "event_id", "id"),
)
