// Relay-style pagination in Apollo Client against a running gateway: `relayStylePagination()`
// keeps the connection in the cache and `fetchMore` walks it by `endCursor`, while the script
// creates customers (newest first: before the cursor) and deletes ones already walked past
// between pages, through the gateway.
//
//   node relay.mjs <input.json>
//
// input: {"url": "http://…/graphql", "connection": "…", "create": "…", "delete": "…",
//         "sources": ["…"], "first": 7}
// Prints {"walked": [uuid…] (the cache's edges at the end), "pages": N, "created": [...],
//         "deleted": [...]}.

import { readFileSync } from "node:fs";

import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { relayStylePagination } from "@apollo/client/utilities";

const input = JSON.parse(readFileSync(process.argv[2], "utf8"));
const client = new ApolloClient({
  link: new HttpLink({ uri: input.url }),
  cache: new InMemoryCache({
    typePolicies: { Query: { fields: { customersConnection: relayStylePagination(["filters"]) } } },
  }),
});
const connection = gql(input.connection);
const create = gql(input.create);
const remove = gql(input.delete);

const created = [];
const deleted = [];
const variables = { first: input.first };
const observable = client.watchQuery({ query: connection, variables });
const subscription = observable.subscribe({ next: () => {} });
await observable.refetch();
let pages = 1;
const cached = () => client.readQuery({ query: connection, variables }).customersConnection;
while (cached().pageInfo.hasNextPage) {
  const edges = cached().edges;
  // EverShop registers 8 customers per 15 minutes per client: a few creates, across the shops.
  if (pages <= input.sources.length * 2) {
    const mutation = await client.mutate({
      mutation: create,
      variables: { s: input.sources[pages % input.sources.length], email: `relay${pages}@example.com` },
    });
    created.push(mutation.data.createCustomer.uuid);
  }
  if (edges.length > 2) {
    const walkedPast = edges[edges.length - 2].node.uuid;
    await client.mutate({ mutation: remove, variables: { id: walkedPast } });
    deleted.push(walkedPast);
  }
  await observable.fetchMore({ variables: { ...variables, after: cached().pageInfo.endCursor } });
  pages += 1;
}
const walked = cached().edges.map((edge) => edge.node.uuid);
subscription.unsubscribe();
process.stdout.write(JSON.stringify({ walked, pages, created, deleted }) + "\n");
