"""Layout categories (the model's English labels, facts) in the user's language."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def category_words(category: str) -> str:
    """``Page-header`` -> "Page header" / "Верхний колонтитул"; unknown labels stay as sent."""
    words = {
        "Text": QCoreApplication.translate("Category", "Text"),
        "Footnote": QCoreApplication.translate("Category", "Footnote"),
        "Page-header": QCoreApplication.translate("Category", "Page header"),
        "Picture": QCoreApplication.translate("Category", "Picture"),
        "Caption": QCoreApplication.translate("Category", "Caption"),
        "Section-header": QCoreApplication.translate("Category", "Section header"),
        "Formula": QCoreApplication.translate("Category", "Formula"),
        "Table": QCoreApplication.translate("Category", "Table"),
        "Title": QCoreApplication.translate("Category", "Title"),
        "List-item": QCoreApplication.translate("Category", "List item"),
        "Page-footer": QCoreApplication.translate("Category", "Page footer"),
    }
    return words.get(category, category)
