// Hive Gateway's supergraph over the benchmark's Ecwid emulator, composed from its OpenAPI
// description. The endpoint comes from ECWID_ENDPOINT (the bench starts the emulator on a free
// port and runs `mesh-compose` with it).
import { defineConfig } from '@graphql-mesh/compose-cli';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';

export const composeConfig = defineConfig({
  subgraphs: [
    {
      sourceHandler: loadOpenAPISubgraph('Ecwid', {
        source: './ecwid.openapi.json',
        endpoint: process.env.ECWID_ENDPOINT ?? 'http://127.0.0.1:9103/api/v3',
        operationHeaders: {
          Authorization: 'Bearer {env.ECWID_TOKEN}',
        },
      }),
    },
  ],
});
