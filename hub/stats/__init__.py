"""The hub's statistics (issue 9): typed facts read from the events (`facts`), and what the coordinators'
pages show (`dashboard`); the open data export builds on the same facts."""
