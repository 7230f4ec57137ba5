"""Device ports and adapters (NFC over PC/SC, QR, printer) and their simulated twins. See DESIGN.md §2-§3."""
