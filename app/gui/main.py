"""Start the desktop app: ``run_gui(project_or_None) -> exit code``."""
from __future__ import annotations

import os
import sys

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from app.gui import i18n, settings as st
from gis.errors import UsageError

_qt_translator: QTranslator | None = None


def apply_language(app: QApplication, code: str) -> str:
    """Use ``code`` for our strings and Qt's own dialogs; returns the code applied."""
    global _qt_translator
    code = i18n.set_language(code)
    if _qt_translator is not None:
        app.removeTranslator(_qt_translator)
        _qt_translator = None
    if code != i18n.DEFAULT_LANGUAGE:
        translator = QTranslator(app)
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if translator.load(f"qtbase_{code}", folder):
            app.installTranslator(translator)
            _qt_translator = translator
    return code


def configure_application(app: QApplication, settings) -> None:
    """Names, icon and UI language (the remembered one, else the system locale's)."""
    from PySide6.QtGui import QIcon

    import resources

    app.setOrganizationName(st.ORGANIZATION)
    app.setApplicationName(st.APPLICATION)
    app.setApplicationDisplayName("Subterra")
    icon = os.path.join(os.path.dirname(resources.__file__), "icons", "subterra.svg")
    app.setWindowIcon(QIcon(icon))
    lang = settings.value(st.KEY_LANGUAGE) or i18n.system_language(QLocale.system().name())
    apply_language(app, str(lang))


def check_display() -> None:
    """Refuse to start without a display (Qt would abort the process)."""
    if sys.platform.startswith("linux") and not any(
            os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")):
        raise UsageError("no display to open the app on (run it in a desktop session, or under "
                         "xvfb-run); the other subterra commands need none")


def run_gui(project: str | None, smoke_test: bool = False) -> int:
    """Open the main window on ``project`` (None: the demo district) and run the event loop;
    ``smoke_test`` quits once both views show it (app.gui.smoke)."""
    from app.gui.main_window import MainWindow

    check_display()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    settings = st.open_settings()
    configure_application(app, settings)
    window = MainWindow(settings)
    window.show()
    if smoke_test:
        from app.gui import smoke

        smoke.arm(app, window)
    if project:
        window.open_project(project)
    else:
        window.open_demo()
    return app.exec()
