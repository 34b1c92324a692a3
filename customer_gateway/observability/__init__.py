"""Logs (secrets scrubbed), one line per request, metrics and traces."""
