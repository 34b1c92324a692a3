"""Merged paging over sources' streams: each row ordered by its key, mapped only when shown.

A source's share of a merged list is a `Stream`: the rows its list answered (a connector's page
items; `connectors.rows.Rows` when it maps rows on read), their places in the merged order and
the sort key at each place. The merge orders places by key (`merge_keyed`) and reads the records
of the page's places only: for four sources of 50 merged into 50, 50 rows are mapped, not 200
(bench/README.md). A row that fails to map then fails its source as a failed list does: the
source is reported (its typed error, `extensions.sources`) and the page is merged again without
it, so the other sources' rows fill the page exactly as if it had failed in the fan-out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from customer_gateway.connectors.models import CustomerRecord, Sort
from customer_gateway.connectors.protocol import Connector
from customer_gateway.connectors.rows import Rows
from customer_gateway.core.context import GatewayContext
from customer_gateway.resolvers.fanout import report_failure
from customer_gateway.resolvers.filters.evaluation import merge_keyed, sort_key, value_key
from customer_gateway.text.digits import is_ascii_digits


@dataclass(slots=True)
class Stream:
    """One source's rows in the merged order."""

    connector: Connector
    rows: Sequence[CustomerRecord]  # as the list answered (`Rows`: each mapped when read)
    total: int  # the source's count for the request
    # The sort key at each place of the merged order; None: not needed (one source that paged
    # itself is never merged). As long as `order`, or `rows` without it.
    keys: list[Any] | None = None
    # The rows' positions in the merged order (ties settled); None: the rows' own order.
    order: list[int] | None = None

    def record(self, place: int) -> CustomerRecord:
        """The record at `place` of the merged order, mapped now if it was not yet."""
        return self.rows[place if self.order is None else self.order[place]]

    def records(self, window: slice) -> list[CustomerRecord]:
        """The records at `window` of the merged order (this stream alone), mapped now."""
        if self.order is None:
            return list(self.rows[window])
        rows = self.rows
        return [rows[position] for position in self.order[window]]


@dataclass(slots=True)
class Keyed:
    """Rows' sort keys and native ids, in the rows' order."""

    keys: list[Any]
    ids: list[str]


def keyed(rows: Sequence[CustomerRecord], sort: Sort, collation: str) -> Keyed:
    """Each row's sort key and native id: read without mapping the row where the page is
    `Rows` keyed for this sort, else from its record."""
    if isinstance(rows, Rows) and rows.sort_field is sort.field:
        by_value = value_key(sort, collation)
        pairs = rows.key_list()
        return Keyed([by_value(value) for _, value in pairs], [native for native, _ in pairs])
    by_record = sort_key(sort, collation)
    return Keyed([by_record(record) for record in rows], [record.id for record in rows])


def settle_ties(keyed: Keyed, count: int, chunk: int = 0) -> tuple[list[Any], list[int] | None]:
    """The first `count` rows' keys in the merged order and their positions there (None: the
    rows' own order), each tie group by native id.

    The rows are in the source's sort order, in which equal keys are adjacent but in no fixed
    order; settled, every window of the source sees one order. `chunk` (a source's page cap,
    0: none) splits tie groups at its multiples: each part is settled within its chunk, and a
    group that straddles one keeps the source's own split of its members between the two
    (`customers.py: _window`)."""
    keys = keyed.keys[:count]
    order: list[int] | None = None
    start = 0
    while start < count:
        stop = min(count, (start // chunk + 1) * chunk) if chunk else count
        end = start + 1
        while end < stop and keys[end] == keys[start]:
            end += 1
        if end - start > 1:
            if order is None:
                order = list(range(count))
            ids = keyed.ids
            order[start:end] = sorted(
                range(start, end), key=lambda position: natural_id(ids[position])
            )
        start = end
    return keys, order


def natural_id(native_id: str) -> tuple[int, Any]:
    """Ties go by native id: numerically where ids are numbers (Ecwid), else as text."""
    return (0, int(native_id)) if is_ascii_digits(native_id) else (1, native_id)


def page_of(
    context: GatewayContext,
    streams: list[Stream],
    window: slice,
    path: list[str | int],
) -> tuple[list[CustomerRecord], list[Stream]]:
    """The records at `window` of the streams' merged order, and the streams still standing.

    A row that fails to map fails its source (reported once, as a fan-out reports it); the
    page is merged again without that source. Rows already mapped stay mapped (`Rows`). The
    rows before the window are mapped too, though not shown: a row that cannot be mapped then
    fails its source on every page from the first that reaches it (as the list reading it
    would), so a later page neither shows that source's rows nor counts them while an earlier
    one left it out. Rows after the window are not mapped."""
    while len(streams) > 1:
        keys: list[list[Any]] = []
        for stream in streams:
            assert stream.keys is not None, "a merged stream is keyed"
            keys.append(stream.keys)
        records: list[CustomerRecord] = []
        failed: Stream | None = None
        start = window.start or 0
        for position, (index, place) in enumerate(islice(merge_keyed(keys), window.stop)):
            stream = streams[index]
            try:
                record = stream.record(place)
            except Exception as error:  # every failure here is the source's (`_report`)
                _report(context, stream.connector, error, path)
                failed = stream
                break
            if position >= start:
                records.append(record)
        if failed is None:
            return records, streams
        streams = [stream for stream in streams if stream is not failed]
    if not streams:
        return [], streams
    only = streams[0]  # one stream is its own merge: no key per record
    try:
        shown = only.records(slice(0, window.stop))  # those before the window checked too
        return shown[window.start or 0 :], streams
    except Exception as error:  # every failure here is the source's (`_report`)
        _report(context, only.connector, error, path)
        return [], []


def _report(
    context: GatewayContext, connector: Connector, error: Exception, path: list[str | int]
) -> None:
    """A source's row failed to map after its list answered: the source's failure, as
    `GatewayContext.call` and `fan_out` report a failed list (an unexpected exception is a bug
    of that source's connector: logged, INTERNAL, the others still answer)."""
    report_failure(context, context.source_failure(connector, error), path)
