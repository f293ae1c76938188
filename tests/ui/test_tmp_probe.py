import pytest
from desktop.ui.inputs import expand_paths

def run(ui, fixtures_dir):
    ui.controller.open_inputs(expand_paths([str(fixtures_dir / "journal_page_tables.jpg")]))
    ui.wait(lambda: ui.window.page_view.has_page())
    ui.wait(lambda: bool(ui.controller.entries[ui.controller.current_key].results))

@pytest.mark.parametrize("n", range(10))
def test_nobatch(make_ui, fixtures_dir, n):
    ui = make_ui(None)
    ui.bridge.batch_progress.disconnect()
    run(ui, fixtures_dir)

@pytest.mark.parametrize("n", range(10))
def test_noupdate(make_ui, fixtures_dir, n):
    ui = make_ui(None)
    ui.window.documents.update_document = lambda e: None
    run(ui, fixtures_dir)
