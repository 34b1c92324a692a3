// Apollo Client (from the npm registry) against a running gateway.
//
//   node apollo.mjs <input.json>
//
// input: {"healthy": "http://…/graphql", "degraded": "http://…/graphql",
//         "operations": {"tour1": "…", "tour2": "…", "tour3": "…", "create": "…",
//                        "delete": "…", "partial": "…"},
//         "customerId": "…", "email": "…"}
//
// Runs the README tour's queries (GET, as Apollo's `useGETForQueries` sends them), the tour's
// mutation and its invalid-email variant (POST), and a query against a gateway with one source
// down under `errorPolicy: "all"`. Prints one JSON object: each operation's `data` and `error`
// as Apollo hands them to an application, plus every HTTP exchange Apollo made.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

import {
  ApolloClient,
  CombinedGraphQLErrors,
  HttpLink,
  InMemoryCache,
  gql,
} from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";

const input = JSON.parse(readFileSync(process.argv[2], "utf8"));
const exchanges = [];

async function recordingFetch(url, init = {}) {
  const response = await fetch(url, init);
  const headers = new Headers(init.headers);
  const target = new URL(String(url));
  exchanges.push({
    method: init.method ?? "GET",
    path: target.pathname,
    queryInUrl: target.searchParams.has("query"),
    accept: headers.get("accept"),
    status: response.status,
    contentType: response.headers.get("content-type"),
  });
  return response;
}

function client(uri) {
  return new ApolloClient({
    link: new HttpLink({ uri, fetch: recordingFetch, useGETForQueries: true }),
    cache: new InMemoryCache(),
  });
}

/** What an application sees: data plus the error, its GraphQL errors spelled out. */
function outcome(result) {
  const { error } = result;
  let described = null;
  if (CombinedGraphQLErrors.is(error)) {
    described = {
      kind: "CombinedGraphQLErrors",
      message: error.message,
      errors: error.errors.map(({ message, path, extensions }) => ({ message, path, extensions })),
    };
  } else if (error) {
    described = { kind: error.name, message: error.message };
  }
  return { data: result.data ?? null, error: described };
}

async function settle(promise) {
  try {
    return outcome(await promise);
  } catch (error) {
    // errorPolicy "none" (the default) rejects on GraphQL errors.
    return { data: null, error: null, thrown: outcome({ error }).error };
  }
}

const ops = Object.fromEntries(
  Object.entries(input.operations).map(([name, text]) => [name, gql(text)]),
);
const healthy = client(input.healthy);
const degraded = client(input.degraded);
const out = {};

out.tour1 = await settle(healthy.query({ query: ops.tour1 }));
out.tour2 = await settle(
  healthy.query({ query: ops.tour2, variables: { id: input.customerId } }),
);
out.tour3 = await settle(healthy.query({ query: ops.tour3 }));
out.create = await settle(
  healthy.mutate({
    mutation: ops.create,
    variables: { source: "evershop-outlet", email: input.email },
  }),
);
const created = out.create.data?.createCustomer?.uuid;
out.readBack = await settle(
  healthy.query({ query: ops.tour2, variables: { id: created }, fetchPolicy: "network-only" }),
);
out.delete = await settle(healthy.mutate({ mutation: ops.delete, variables: { id: created } }));
out.invalid = await settle(
  healthy.mutate({
    mutation: ops.create,
    variables: { source: "evershop-outlet", email: "ada@example" },
    errorPolicy: "all",
  }),
);
out.partial = await settle(degraded.query({ query: ops.partial, errorPolicy: "all" }));
out.partialDefaultPolicy = await settle(
  degraded.query({ query: ops.partial, fetchPolicy: "network-only" }),
);
out.exchanges = exchanges;

// Automatic persisted queries: Apollo's link sends the document's SHA-256 alone (GET), then
// the text once when the gateway does not know it; a second client then needs the hash only.
const apqExchanges = [];
async function apqFetch(url, init = {}) {
  const response = await fetch(url, init);
  const target = new URL(String(url));
  const body = init.body ? JSON.parse(init.body) : null;
  apqExchanges.push({
    method: init.method ?? "GET",
    queryText: target.searchParams.has("query") || Boolean(body?.query),
    hashed: target.searchParams.has("extensions") || Boolean(body?.extensions?.persistedQuery),
    status: response.status,
  });
  return response;
}
function persistedClient() {
  const sha256 = (text) => createHash("sha256").update(text).digest("hex");
  return new ApolloClient({
    link: new PersistedQueryLink({ sha256, useGETForHashedQueries: true }).concat(
      new HttpLink({ uri: input.healthy, fetch: apqFetch }),
    ),
    cache: new InMemoryCache(),
  });
}
out.apqFirst = await settle(persistedClient().query({ query: ops.tour1 }));
out.apqFirstExchanges = apqExchanges.splice(0);
out.apqSecond = await settle(persistedClient().query({ query: ops.tour1 }));
out.apqSecondExchanges = apqExchanges.splice(0);

process.stdout.write(JSON.stringify(out) + "\n");
