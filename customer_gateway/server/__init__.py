"""Process wiring: the settings, the configured sources (or the sandbox's emulated shops),
the ASGI app and its routes, the CLI, and what the HTTP layer accepts before GraphQL."""
