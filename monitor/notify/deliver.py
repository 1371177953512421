"""Deliver due outbox rows: claim → plan messages → send and settle each message.

Each step returns a value. Channels send concurrently; messages to one channel
go one after another, and each is recorded the moment its receiver accepts it
(a send under way finishes and is recorded even if the run is cancelled). Several
alerts due together for one immediate channel are batched into one message (chat
webhooks throttle bursts); a digest channel gets one message for everything due
at its boundary. Every message carries an idempotency key: delivery is at least
once, and a receiver that drops repeated keys sees each alert exactly once.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from monitor.config import Loaded
from monitor.notify.channels import Built, Channels, SendResult, send
from monitor.notify.messages import Message, render_digest, render_event, render_notice
from monitor.notify.outbox import (
    Delivery,
    Settlement,
    claim,
    message_key,
    release,
    remember_batches,
    settle,
)
from monitor.notify.timing import MAX_ATTEMPTS, next_attempt
from monitor.store import Store, utcnow

log = logging.getLogger("monitor.notify")

BATCH_ABOVE = 3  # more alerts than this due at once for one channel become one message


@dataclass(frozen=True)
class Planned:
    channel: str
    rows: tuple[Delivery, ...]
    message: Message | None  # None when the channel cannot send at all

    @property
    def key(self) -> str:
        """The message's idempotency key: the same rows give the same key, and a batch sent
        before keeps the key it went out under."""
        stored = {r.message_key for r in self.rows}
        if len(stored) == 1 and self.rows[0].message_key and self.rows[0].mode != "digest":
            return self.rows[0].message_key
        return message_key([r.key for r in self.rows])


@dataclass(frozen=True)
class Sent:
    planned: Planned
    result: SendResult


@dataclass
class DeliveryReport:
    claimed: int = 0  # outbox rows taken this run
    delivered: int = 0  # rows confirmed by apprise
    messages: int = 0  # messages confirmed by apprise
    retrying: int = 0  # rows that failed and will be retried
    dead: int = 0  # rows given up on (reported in `monitor status`)
    sends: list[Sent] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.retrying > 0 or self.dead > 0


def _message_for(rows: Sequence[Delivery], built: Built) -> Message:
    note = rows[0].note
    if rows[0].event is None:  # an operator alert: always a message of its own
        message = rows[0].message or {}
        return render_notice(
            message.get("title", "monitor"), message.get("body", ""), built.format, note=note
        )
    if len(rows) == 1 and rows[0].mode != "digest":
        channel = built.channel
        return render_event(
            rows[0].event,
            built.format,
            title_template=channel.title_template,
            body_template=channel.body_template,
            note=note,
        )
    return render_digest([r.event for r in rows if r.event is not None], built.format, note=note)


def _groups(rows: Sequence[Delivery]) -> list[tuple[Delivery, ...]]:
    """Rows of one channel → the row groups that each become one message. A batch that
    went out before (maybe received, not recorded) goes out again as it was."""
    before: dict[str, list[Delivery]] = {}
    for row in rows:
        if row.message_key is not None and row.mode != "digest":
            before.setdefault(row.message_key, []).append(row)
    rows = [r for r in rows if r.message_key is None or r.mode == "digest"]
    digest = tuple(r for r in rows if r.mode == "digest")
    out: list[tuple[Delivery, ...]] = [tuple(group) for group in before.values()]
    if digest:
        out.append(digest)
    by_note: dict[str | None, list[Delivery]] = {}
    for row in rows:
        if row.event is None:
            out.append((row,))
        elif row.mode != "digest":
            by_note.setdefault(row.note, []).append(row)
    for items in by_note.values():
        if len(items) > BATCH_ABOVE:
            out.append(tuple(items))
        else:
            out.extend((item,) for item in items)
    return out


def plan(claimed: Sequence[Delivery], channels: Channels) -> list[Planned]:
    """Which messages to send for the claimed rows. Pure apart from building channels."""
    by_channel: dict[str, list[Delivery]] = {}
    for row in claimed:
        by_channel.setdefault(row.channel, []).append(row)
    planned: list[Planned] = []
    for name, rows in by_channel.items():
        built = channels.get(name)
        for group in _groups(rows):
            message = _message_for(group, built) if built.apobj is not None else None
            planned.append(Planned(name, group, message))
    return planned


Record = Callable[[Sent], Awaitable[Settlement]]


async def _send_one(built: Built, item: Planned, record: Record) -> tuple[Sent, Settlement]:
    if item.message is None:
        result = SendResult("dead", "CONFIG", built.error)
    else:
        result = await send(built, item.message, key=item.key)
    sent = Sent(item, result)
    return sent, await record(sent)


async def _send_channel(
    built: Built, items: Sequence[Planned], record: Record, stop: asyncio.Event | None
) -> tuple[list[tuple[Sent, Settlement]], list[Planned]]:
    """Send one channel's messages in turn, recording each; the ones a stop left unsent."""
    done: list[tuple[Sent, Settlement]] = []
    for position, item in enumerate(items):
        if stop is not None and stop.is_set():
            return done, list(items[position:])
        # Shielded: once a receiver may have the message, its verdict gets recorded.
        done.append(await asyncio.shield(_send_one(built, item, record)))
    return done, []


def _fallbacks(channel: str, loaded: Loaded, operator: bool = False) -> tuple[str, ...]:
    """Where dead rows go: the channel's ``fallback``, else the operator channels (an
    operator alert already went to each of those, so it only follows ``fallback``)."""
    config = loaded.config
    fallback = config.channel(channel).fallback if channel in config.channels else None
    targets = [fallback] if fallback else [] if operator else list(config.defaults.operator_notify)
    return tuple(t for t in dict.fromkeys(targets) if t != channel and t in config.channels)


def settlement(sent: Sent, loaded: Loaded, now: datetime, rng: random.Random) -> Settlement:
    """What to record for one send result."""
    rows, result = sent.planned.rows, sent.result
    if result.verdict == "sent":
        return Settlement(rows, "sent")
    attempts = max(r.attempts for r in rows) + 1
    rerouted = all(r.fallback_of is None for r in rows)
    operator = any(r.event is None for r in rows)
    fallback = _fallbacks(sent.planned.channel, loaded, operator) if rerouted else ()
    if result.verdict == "dead":
        return Settlement(rows, "dead", result.error, fallback=fallback)
    if attempts >= MAX_ATTEMPTS:
        error = f"gave up after {attempts} attempts: {result.error}"
        return Settlement(rows, "dead", error, fallback=fallback)
    return Settlement(rows, "pending", result.error, next_attempt(now, attempts, rng))


def _tally(report: DeliveryReport, items: Sequence[Settlement]) -> None:
    for item in items:
        if item.status == "sent":
            report.delivered += len(item.rows)
            report.messages += 1
        elif item.status == "dead":
            report.dead += len(item.rows)
        else:
            report.retrying += len(item.rows)


async def deliver_due(
    store: Store,
    loaded: Loaded,
    *,
    now: datetime | None = None,
    everything: bool = False,
    channels: Channels | None = None,
    limit: int = 500,
    stop: asyncio.Event | None = None,
) -> DeliveryReport:
    """Send every due outbox row once and record each result as it comes.

    ``everything`` also sends rows waiting for a retry or a digest boundary.
    Pass a long-lived ``channels`` to reuse built apprise objects across runs. Once
    ``stop`` is set no further message starts; its rows go back to the queue.
    """
    now = now or utcnow()
    channels = channels or Channels(loaded.config, loaded.secrets)
    claimed = await asyncio.to_thread(claim, store.engine, now, limit=limit, everything=everything)
    report = DeliveryReport(claimed=len(claimed))
    if not claimed:
        return report
    planned = plan(claimed, channels)
    by_channel: dict[str, list[Planned]] = {}
    for item in planned:
        by_channel.setdefault(item.channel, []).append(item)
    batches_out = [(p.key, p.rows) for p in planned if len(p.rows) > 1]
    await asyncio.to_thread(remember_batches, store.engine, batches_out)
    rng = random.Random()

    async def record(sent: Sent) -> Settlement:
        item = settlement(sent, loaded, now, rng)
        await asyncio.to_thread(settle, store.engine, [item], now)
        return item

    batches = await asyncio.gather(
        *(
            _send_channel(channels.get(name), items, record, stop)
            for name, items in by_channel.items()
        )
    )
    report.sends = [sent for done, _ in batches for sent, _ in done]
    settlements = [item for done, _ in batches for _, item in done]
    unsent = [row for _, left in batches for message in left for row in message.rows]
    await asyncio.to_thread(release, store.engine, unsent)
    _tally(report, settlements)
    for done in settlements:
        if done.status != "sent":
            log.warning(
                "delivery to %s %s for %d alert(s): %s",
                done.rows[0].channel,
                "failed, will retry" if done.status == "pending" else "is dead",
                len(done.rows),
                done.error,
            )
    return report
