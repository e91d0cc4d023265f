"""Subcommands of `vias-tui`. Each module is imported only when its command runs (fast --help)."""
