// Live updates with the real clients: graphql-ws (graphql-transport-ws over a WebSocket, from
// Node through the `ws` package) and graphql-sse (server-sent events), against a running gateway.
//
//   node live.mjs <input.json>
//
// input: {"http": "http://…/graphql", "ws": "ws://…/graphql", "apiKey": "…" | null,
//         "subscription": "…", "create": "…", "source": "…"}
// Each client subscribes, then the script creates one customer per client over plain HTTP and
// waits for the client to see it. Prints {"ws": {...}, "sse": {...}}: the first event each
// client received, or the error it ended with.

import { readFileSync } from "node:fs";

import { createClient as createSseClient } from "graphql-sse";
import { createClient as createWsClient } from "graphql-ws";
import WebSocket from "ws";

const input = JSON.parse(readFileSync(process.argv[2], "utf8"));
const headers = input.apiKey ? { "X-API-Key": input.apiKey } : {};

async function create(email) {
  const response = await fetch(input.http, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query: input.create, variables: { s: input.source, email } }),
  });
  return (await response.json()).data?.createCustomer?.uuid ?? null;
}

/** Subscribe through `client`, write one customer, and resolve with what the client saw. */
function firstEvent(client, email) {
  return new Promise((resolve) => {
    let created = null;
    const timer = setTimeout(() => resolve({ error: "no event within 20 s", created }), 20_000);
    const stop = client.subscribe(
      { query: input.subscription },
      {
        next: (value) => {
          clearTimeout(timer);
          stop();
          resolve({ event: value, created });
        },
        error: (error) => {
          clearTimeout(timer);
          resolve({ error: String(error?.message ?? JSON.stringify(error)), created });
        },
        complete: () => {},
      },
    );
    // The subscription is registered once the socket or stream is open; then write.
    setTimeout(async () => {
      created = await create(email);
    }, 800);
  });
}

const ws = createWsClient({
  url: input.ws,
  webSocketImpl: WebSocket,
  connectionParams: headers,
  retryAttempts: 0,
});
const sse = createSseClient({ url: input.http, headers, retryAttempts: 0 });

const out = {};
out.ws = await firstEvent(ws, "graphql-ws@example.com");
out.sse = await firstEvent(sse, "graphql-sse@example.com");
await ws.dispose();
sse.dispose();
process.stdout.write(JSON.stringify(out) + "\n");
