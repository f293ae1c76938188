"""Words: translations and the sentences shown for facts (errors, reasons, model states)."""
