"""Command-line entry: parse arguments, then open the window or run a headless command.

Exit codes (DESIGN.md): 0 all pages ok; 3 finished but some pages partial/failed;
1 error with a one-line cause on stderr; 2 usage.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3

FORMATS = ("md", "json", "txt", "html", "csv", "xlsx", "pdf", "docx")
MODES = ("layout", "text", "layout-only")
COMMANDS = frozenset({"ocr", "extract", "models", "doctor", "open", "capture"})


def build_parser() -> argparse.ArgumentParser:
    """The full command line of DESIGN.md."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="dots-desktop",
        description="Desktop OCR with dots.ocr. Without a subcommand it opens the window.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="OCR the bundled sample headless with the built-in engine and exit 0 if it works",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ocr = sub.add_parser("ocr", help="OCR images and PDFs headless")
    ocr.add_argument("inputs", nargs="+", metavar="INPUT", help="image or PDF files")
    ocr.add_argument("--engine", choices=("server", "builtin"), default=None)
    ocr.add_argument("--endpoint", default=os.environ.get("DOTS_DESKTOP_ENDPOINT"))
    ocr.add_argument("--api-key", default=os.environ.get("DOTS_DESKTOP_API_KEY"))
    ocr.add_argument("--model", default=None, help="served model name (default: discovered)")
    ocr.add_argument("--mode", choices=MODES, default="layout")
    ocr.add_argument("--format", choices=FORMATS, default="md", dest="fmt")
    ocr.add_argument("--out", default=None, metavar="DIR")
    ocr.add_argument("--pages", default=None, help="page ranges such as 1-3,7")
    ocr.add_argument("--dpi", type=int, default=200)
    ocr.add_argument("--concurrency", type=int, default=None)
    ocr.add_argument("--max-tokens", type=int, default=None)
    ocr.add_argument("--no-header-footer", action="store_true")
    ocr.add_argument(
        "--lang",
        default="auto",
        metavar="LANGS",
        help="built-in engine's languages: auto (default), or Tesseract packs such as rus, rus+eng",
    )

    extract = sub.add_parser("extract", help="fill a JSON Schema's fields from each input")
    extract.add_argument("inputs", nargs="+", metavar="INPUT", help="image or PDF files")
    extract.add_argument("--schema", required=True, metavar="SCHEMA.json")
    extract.add_argument("--format", choices=("json", "csv", "xlsx"), default="json", dest="fmt")
    extract.add_argument("--out", default=None, metavar="DIR")
    extract.add_argument("--endpoint", default=os.environ.get("DOTS_DESKTOP_ENDPOINT"))
    extract.add_argument("--api-key", default=os.environ.get("DOTS_DESKTOP_API_KEY"))
    extract.add_argument("--model", default=None, help="served model name (default: discovered)")
    extract.add_argument("--prompt", default=None, metavar="TEXT", help="instead of the default")
    extract.add_argument("--dpi", type=int, default=200)

    models = sub.add_parser("models", help="list, start, stop the local model container")
    msub = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    msub.add_parser("list", help="model profiles and whether they fit this GPU")
    msub.add_parser("status", help="the running model and its state")
    start = msub.add_parser("start", help="start a profile (stops the running one)")
    start.add_argument("profile")
    command = msub.add_parser("command", help="print the docker run line the app would use")
    command.add_argument("profile")
    msub.add_parser("stop", help="stop the running model")
    logs = msub.add_parser("logs", help="print the model container's log")
    logs.add_argument("--follow", "-f", action="store_true")
    logs.add_argument("--tail", type=int, default=200)

    sub.add_parser("doctor", help="what works here and how to fix what does not")

    sub.add_parser(
        "capture",
        help="read a screen region: in the running window, or start it (bind this to a key)",
    )
    gui = sub.add_parser("open", help="open the window (the default)")
    gui.add_argument("files", nargs="*")
    return parser


def run(argv: Sequence[str]) -> int:
    """Run the command line ``argv`` (without the program name); return the exit code."""
    argv = list(argv)
    if not argv or (not any(arg.startswith("-") for arg in argv) and argv[0] not in COMMANDS):
        # The common launch (`dots-desktop [FILE...]`) skips argparse: it is ~10 ms of
        # imports before the window can appear.
        from desktop.ui.app import run_gui

        return run_gui(argv)
    parser = build_parser()
    # `dots-desktop [-v] FILE...` opens the window with files: route bare paths to "open".
    first = next((i for i, arg in enumerate(argv) if not arg.startswith("-")), None)
    if first is not None and argv[first] not in COMMANDS:
        argv = [*argv[:first], "open", *argv[first:]]
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    from desktop.commands.words import log_to_terminal

    log_to_terminal(args.verbose)
    if args.version:
        from desktop import __version__

        print(f"dots-desktop {__version__}")
        return EXIT_OK
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        from desktop.commands.words import say_facts
        from desktop.core.messages import Code, Msg

        say_facts(Msg(Code.CLI_INTERRUPTED))
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    if args.self_test:
        from desktop.commands.selftest import run_self_test

        return run_self_test()
    if args.command == "ocr":
        from desktop.commands.ocr import run_ocr

        return run_ocr(args)
    if args.command == "extract":
        from desktop.commands.extract import run_extract

        return run_extract(args)
    if args.command == "models":
        from desktop.commands.models import run_models

        return run_models(args)
    if args.command == "doctor":
        from desktop.commands.doctor import run_doctor

        return run_doctor(args)
    files = list(getattr(args, "files", []) or [])
    from desktop.ui.app import run_gui

    if args.command == "capture":
        return run_gui([], capture=True)
    return run_gui(files)
