// A supergraph of the gateway (customers) and a small orders subgraph that extends Customer,
// composed by Hive's compose-cli from each subgraph's `_service { sdl }`. Used by
// tests/clients/test_federation.py (make test-clients), which starts both subgraphs on free
// ports and passes their endpoints in CUSTOMERS_ENDPOINT and ORDERS_ENDPOINT.
import { defineConfig, loadGraphQLHTTPSubgraph } from '@graphql-mesh/compose-cli';

export const composeConfig = defineConfig({
  subgraphs: [
    {
      sourceHandler: loadGraphQLHTTPSubgraph('customers', {
        endpoint: process.env.CUSTOMERS_ENDPOINT ?? 'http://127.0.0.1:8000/graphql',
        federation: true,
      }),
    },
    {
      sourceHandler: loadGraphQLHTTPSubgraph('orders', {
        endpoint: process.env.ORDERS_ENDPOINT ?? 'http://127.0.0.1:8001/graphql',
        federation: true,
      }),
    },
  ],
});
