"""POST /graphql with a JSON body, answered without Strawberry's HTTP view.

Strawberry's view wraps each request in a request adapter, a sub-response, header parsing per
step, the request-data dataclass and `Schema.execute`'s extension runner. For the common
request (a JSON object naming a query or mutation that passes every check) this path does the
same steps directly: the body, the Content-Type and Accept rules, the strict JSON decoding
(request_body.py), persisted documents (persisted.py), the request context, the schema's plain
path (schema/plain.py: the checks and the execution of its extensions) and the answer as the
view shapes it (answers.py), with the same bytes, status and headers.

Anything else is handed to the view untouched, with the body replayed: a batch, a streamed
subscription (an Accept that names one), another content type, a body the view would refuse,
a `documentId`, a refused persisted document, and every document that fails a check (parse,
limits, validation, cost, scopes), which the view then refuses with its own error. None of the
steps before execution has an effect, so the view's second look changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send
from strawberry.http import process_result
from strawberry.http.parse_content_type import parse_content_type

from customer_gateway.schema.plain import PlainOperations
from customer_gateway.server.answers import GRAPHQL_RESPONSE, encode_body, shape_answer
from customer_gateway.server.persisted import DocumentRefused, PersistedDocuments
from customer_gateway.server.request_body import BadRequestBody, decode_request_json

if TYPE_CHECKING:
    from customer_gateway.core.context import GatewayContext

# Strawberry parses each request's Content-Type through the standard library's
# `email.message.Message` (33,000 instructions a call under callgrind): the same function
# remembered per header value (clients send a handful), the same answers. The view uses it too
# (app.py puts it in Strawberry's modules).
cached_parse_content_type = lru_cache(maxsize=64)(parse_content_type)

_MEDIA = {None: b"application/json", GRAPHQL_RESPONSE: GRAPHQL_RESPONSE.encode()}


class PlainPost:
    """The plain path of one view (`GatewayGraphQL`)."""

    def __init__(
        self,
        operations: PlainOperations,
        persisted: PersistedDocuments,
        make_context: Callable[[Request, None], GatewayContext],
        streams: Callable[[str], bool],
        count: Callable[[str, str], None] | None = None,
    ) -> None:
        self.operations = operations
        # Which path answered each POST, and why the view did (`gateway_graphql_paths_total`).
        self.count = count
        self.persisted = persisted
        self.make_context = make_context
        # Whether an Accept header asks for a streamed answer (the view's transports decide;
        # remembered per value, as clients send a handful).
        self.streams = lru_cache(maxsize=64)(streams)

    async def answer(self, scope: Scope, receive: Receive, send: Send) -> Receive | None:
        """Answer a POST and return None; or, where the view must answer, return the receive
        to hand it (what was read, replayed)."""
        messages: list[Message] = []
        body = b""
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                self._counted("disconnect")
                return _replay(messages, receive)
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        if self._counted(await self._answer(scope, receive, send, body)):
            return None
        return _replay(messages, receive)

    def _counted(self, reason: str) -> bool:
        """Counts the path (`reason` "": this one answered; else why the view answers)."""
        if self.count is not None:
            self.count("view" if reason else "plain", reason)
        return not reason

    async def _answer(self, scope: Scope, receive: Receive, send: Send, body: bytes) -> str:
        """ "" once answered; else why the view answers (`docs/operations.md`, Metrics)."""
        content_type: str | None = None
        accept: str | None = None
        for key, value in scope["headers"]:
            if key == b"content-type":
                if content_type is None:
                    content_type = value.decode("latin-1")
            elif key == b"accept" and accept is None:
                accept = value.decode("latin-1")
        # The view's rules: "application/json" in the parsed media type, no streamed answer.
        if (
            content_type is None
            or "application/json" not in cached_parse_content_type(content_type)[0]
        ):
            return "content_type"
        if self.streams(accept or ""):
            return "stream"
        try:
            data = decode_request_json(body)
        except BadRequestBody:
            return "body"
        if isinstance(data, list):
            return "batch"
        if not isinstance(data, dict):
            return "body"
        query = data.get("query")
        variables = data.get("variables")
        extensions = data.get("extensions")
        operation_name = data.get("operationName")
        if (
            not isinstance(variables, dict | None)
            or not isinstance(extensions, dict | None)
            or not isinstance(operation_name, str | None)
        ):
            return "body"
        if not isinstance(query, str) and not (
            query is None and extensions is not None and "persistedQuery" in extensions
        ):
            return "no_query"  # a documentId, or the view's own "no query" answer
        try:
            query = self.persisted.resolve(query, extensions, None)
        except DocumentRefused:
            return "persisted"
        if query is None:
            return "persisted"
        context = self.make_context(Request(scope, receive), None)
        if context.telemetry is not None and context.telemetry.tracing:
            return "tracing"  # the operation's span: SourceReport's, on the view's way
        prepared = self.operations.prepare(query, operation_name, variables, context)
        if prepared is None:
            return "checks"  # a check failed (the view refuses it), or a subscription
        result = await self.operations.execute(prepared, variables, extensions, context)
        processed = process_result(result)
        status = shape_answer(processed, result, context, scope, accept)
        encoded = encode_body(processed)
        headers = [
            (b"content-length", str(len(encoded)).encode("latin-1")),
            (b"content-type", _MEDIA[None if status is None else GRAPHQL_RESPONSE]),
        ]
        await send({"type": "http.response.start", "status": status or 200, "headers": headers})
        await send({"type": "http.response.body", "body": encoded})
        return ""


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A receive that hands out `messages` again, then the connection's own."""
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed
