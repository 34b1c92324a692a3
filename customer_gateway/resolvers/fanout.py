"""Run one operation on several sources at once; one source's failure never fails the others."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from typing import TypeVar

from customer_gateway.connectors.protocol import Connector
from customer_gateway.core.context import GatewayContext, fails_the_request
from customer_gateway.core.errors import GatewayError

T = TypeVar("T")
logger = logging.getLogger("customer_gateway.fanout")


async def fan_out(
    context: GatewayContext,
    calls: Sequence[tuple[Connector, Awaitable[T]]],
    path: list[str | int],
) -> dict[str, T] | None:
    """Results by source name. Failed sources become partial errors at `path`.

    Returns None when every source failed (the field is then null, with one error per source).
    """
    outcomes: list[T | BaseException]
    if len(calls) == 1:
        # One source (every page over mirrored sources is one store read): awaited here, without
        # the task and the extra turn of the loop that gather takes. `GatewayContext.call`
        # resets the context variables it sets, so running in this task's context is the same.
        try:
            outcomes = [await calls[0][1]]
        except Exception as error:
            outcomes = [error]
    else:
        outcomes = await asyncio.gather(*(call for _, call in calls), return_exceptions=True)
    results: dict[str, T] = {}
    failures: list[GatewayError] = []
    for (connector, _), outcome in zip(calls, outcomes, strict=True):
        if isinstance(outcome, GatewayError):
            # A request too big for one source is that source's failure; the others answer.
            if fails_the_request(outcome):
                raise outcome
            if outcome.source is None:
                outcome.source = connector.name
            failures.append(outcome)
        elif isinstance(outcome, BaseException):
            raise outcome
        else:
            results[connector.name] = outcome
    for failure in failures:
        report_failure(context, failure, path)
    if failures and not results:
        return None
    return results


def report_failure(context: GatewayContext, failure: GatewayError, path: list[str | int]) -> None:
    """A source failed while the others answer: logged, and reported in the response's errors
    and `extensions.sources` (`GatewayContext.report_partial`)."""
    logger.info(
        "source failed, answering with the others: code=%s source=%s path=%s",
        failure.code.value,
        failure.source,
        path,
    )
    context.report_partial(path, failure)
