"""The Qt desktop shell (PySide6): main window, docks, dialogs, worker threads."""
