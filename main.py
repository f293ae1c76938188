"""Dots Desktop: the window by default, CLI subcommands (ocr, models, doctor) otherwise."""

from __future__ import annotations

import sys

from desktop.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
