"""Connectors: one package per upstream kind, and the HTTP plumbing they share."""
