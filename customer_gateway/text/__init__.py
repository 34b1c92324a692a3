"""Text the gateway orders and accepts: the collation, digits as `int()` reads them, sendable text.

Emulators may import this package (and `data/`), nothing else of the gateway."""
