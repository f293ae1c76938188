"""Controllers and the async bridge: documents, OCR, chat and the model runtime."""
