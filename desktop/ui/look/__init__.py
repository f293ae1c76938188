"""Look: theme (palette and style sheet) and icons."""
