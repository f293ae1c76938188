"""The command line: bare files open the window, subcommands dispatch, usage errors exit 2."""

from __future__ import annotations

import pytest

from desktop import cli


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    calls: list[list[str]] = []

    def fake_run_gui(files: list[str]) -> int:
        calls.append(files)
        return 0

    monkeypatch.setattr("desktop.ui.app.run_gui", fake_run_gui)
    return calls


@pytest.mark.parametrize(
    ("argv", "files"),
    [
        ([], []),
        (["scan.png"], ["scan.png"]),
        (["-v", "scan.png", "b.pdf"], ["scan.png", "b.pdf"]),
        (["open", "x.jpg"], ["x.jpg"]),
    ],
)
def test_given_files_or_nothing_when_launched_then_the_window_opens_with_them(
    opened: list[list[str]], argv: list[str], files: list[str]
) -> None:
    assert cli.run(argv) == cli.EXIT_OK
    assert opened == [files]


def test_given_an_unknown_option_when_launched_then_usage_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.run(["--no-such-flag"]) == cli.EXIT_USAGE
    assert "usage:" in capsys.readouterr().err


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    from desktop import __version__

    assert cli.run(["--version"]) == cli.EXIT_OK
    assert capsys.readouterr().out.strip() == f"dots-desktop {__version__}"
