"""Widgets: the window and its panes (pages, documents, tables, chat, model, settings)."""
