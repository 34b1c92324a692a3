"""`erasePerson` and `erasureRequest`: a person erased in every source that can, per source what
was done or why not, resumable (customer_gateway/identity/erasure.py)."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from customer_gateway.connectors.protocol import Connector
from customer_gateway.core.context import GatewayContext, Info
from customer_gateway.core.errors import BadUserInput, ErrorCode, GatewayError
from customer_gateway.identity.erasure import (
    PENDING,
    UNSUPPORTED,
    ErasureRequest,
    Erasures,
    SourceSummary,
)
from customer_gateway.identity.gdpr import GATEWAY_STORES, can_delete, eraser, forgetter
from customer_gateway.identity.index import subject_hash
from customer_gateway.identity.normalise import email_key
from customer_gateway.resolvers.people import index_of, subject_people, visible_names


@dataclass(frozen=True, slots=True)
class SourceOutcomeView:
    source: str
    outcome: str  # done | pending | unsupported | would_erase | would_not
    customers: int
    erased: int
    already_gone: int
    pending: int
    code: str | None
    reason: str | None
    attempts: int


@dataclass(frozen=True, slots=True)
class ErasureView:
    request_id: str | None
    status: str  # OPEN | COMPLETED | DRY_RUN | NOTHING_FOUND
    dry_run: bool
    attempts: int
    sources: list[SourceOutcomeView]
    gateway_stores: list[str]


def _erasures(context: GatewayContext) -> Erasures:
    index_of(context)
    if context.erasures is None:
        raise GatewayError("Erasure needs the identity index", code=ErrorCode.UNSUPPORTED_OPERATION)
    return context.erasures


def _subject(email: str | None, person_id: str | None) -> str:
    if email is not None:
        return subject_hash("email", email_key(email) or email.strip().lower())
    return subject_hash("person", person_id or "")


def _reason(context: GatewayContext, item: SourceSummary, interval: float) -> str | None:
    connector = context.sources.get(item.source)
    kind = connector.kind if connector is not None else "unknown"
    if item.pending:
        return (
            f"the source failed ({item.code or 'not tried yet'}); retried every "
            f"{interval:g} s and by the next erasePerson for this person"
        )
    if item.unsupported:
        return f"{kind} sources have no API to delete customers: erase it in the source itself"
    return None


def view(context: GatewayContext, request: ErasureRequest) -> ErasureView:
    interval = context.settings.identity.erasure_retry_interval
    return ErasureView(
        request_id=request.request_id,
        status="OPEN" if request.status == "open" else "COMPLETED",
        dry_run=False,
        attempts=request.attempts,
        sources=[
            SourceOutcomeView(
                source=item.source,
                outcome=item.outcome,
                customers=item.customers,
                erased=item.erased,
                already_gone=item.gone,
                pending=item.pending,
                code=item.code,
                reason=_reason(context, item, interval),
                attempts=item.attempts,
            )
            for item in request.summaries()
        ],
        gateway_stores=list(GATEWAY_STORES) if request.status != "open" else [],
    )


async def erase_person(
    info: Info, email: str | None, person_id: str | None, dry_run: bool
) -> ErasureView:
    context = info.context
    erasures = _erasures(context)
    index = index_of(context)
    person_ids = await subject_people(context, email, person_id)
    visible = visible_names(context)
    members = await index.members_of(person_ids)
    keys = sorted({key for found in members.values() for key in found if key[0] in visible})
    subject = _subject(email, person_id)
    if dry_run:
        by_source: dict[str, int] = {}
        for source, _ in keys:
            by_source[source] = by_source.get(source, 0) + 1
        sources = []
        for source, count in sorted(by_source.items()):
            connector = context.sources.get(source)
            able = connector is not None and can_delete(connector)
            summary = SourceSummary(source, customers=count, unsupported=0 if able else count)
            sources.append(
                SourceOutcomeView(
                    source=source,
                    outcome="would_erase" if able else UNSUPPORTED,
                    customers=count,
                    erased=0,
                    already_gone=0,
                    pending=0,
                    code=None if able else "UNSUPPORTED_OPERATION",
                    reason=None if able else _reason(context, summary, 0),
                    attempts=0,
                )
            )
        return ErasureView(
            None, "DRY_RUN" if keys else "NOTHING_FOUND", True, 0, sources, list(GATEWAY_STORES)
        )
    existing = await erasures.find(subject)
    if existing is not None and existing.status == "open":
        request = existing
        await erasures.add_targets(request, keys)
    elif keys:
        request = await erasures.create(subject, keys)
    elif existing is not None:
        return view(context, existing)  # done before: the same answer again
    else:
        return ErasureView(None, "NOTHING_FOUND", False, 0, [], [])

    async def call(connector: Connector, operation: Awaitable[Any]) -> Any:
        return await context.call(connector, operation)

    lookup = context.sources.get
    idempotency = context.idempotency
    request = await erasures.run(
        request,
        eraser(lookup, call),
        forgetter(lookup, index, idempotency, context.exports),
    )
    return view(context, request)


async def erasure_request(info: Info, request_id: str) -> ErasureView | None:
    if not request_id or len(request_id) > 40:
        raise BadUserInput("That is not an erasure request id.", field="requestId")
    found = await _erasures(info.context).get(request_id)
    return view(info.context, found) if found is not None else None


__all__ = ["PENDING", "erase_person", "erasure_request"]
