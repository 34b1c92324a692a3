"""A local mirror per source: a store, a sync engine that fills it, and a connector that reads it.

- `store.py` (`MirrorStore`, SQL on SQLite or PostgreSQL) keeps every mirrored source's customers,
  groups and memberships, with sort keys computed by the gateway's own collation at write time;
- `sync.py` runs one sync loop per source (snapshot or paging, then a change feed or a periodic
  reconcile), resumable from cursors the store commits with the rows;
- `source.py` (`MirroredSource`) is a connector: reads come from the store with every filter,
  sort and page pushed into one SQL query, writes go to the source and then into the store.
"""
