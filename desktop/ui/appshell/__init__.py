"""App wiring: the shell that owns the window, tray and engine, a single instance, quick actions."""
