"""Sync with the hub: wire protocol, HTTP client, background worker. See DESIGN.md §5."""
