"""Headless subcommands behind ``desktop.cli``: one module per command, no Qt."""
