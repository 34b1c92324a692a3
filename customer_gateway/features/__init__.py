"""Features beside the schema's reads and writes: exports, idempotent creates, live events,
cursors, and the `check` command."""
