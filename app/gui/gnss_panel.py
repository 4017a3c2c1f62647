"""The GNSS panel: receiver / NTRIP connection settings and the live status of the fix.

The receiver link and the NTRIP client run on their own threads
(:class:`importers.gnss.session.GnssSession`); the panel polls the shared
:class:`~importers.gnss.status.GnssStatus` with a QTimer on the GUI thread
and redraws only when its version moved.  Connection settings are
remembered in QSettings, the NTRIP password never: it stays in the password
field (memory) or, when the user asks, goes to the OS keyring.
"""
from __future__ import annotations

import importlib.util
import threading
import time
from dataclasses import dataclass

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGridLayout, QGroupBox,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMessageBox, QPushButton,
                               QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from app.gui.gnss_plots import FIX_RGB, ScatterPlot, SkyPlot, constellation_label, fix_text
from app.gui.i18n import tr
from gis.errors import SubterraError, UsageError

POLL_MS = 250
PLOT_INTERVAL_S = 1.0       # the sky and scatter plots redraw at most once a second
FRAMES = ("CGCS2000", "WGS84", "ITRF2014", "ETRS89")
KEY = "gnss/"
# Remembered connection fields (never the password).
SETTING_KEYS = ("source", "frame", "ntrip", "host", "port", "mountpoint", "user", "version", "gga_interval")


def keyring_available() -> bool:
    """Whether the optional ``keyring`` package can be imported."""
    return importlib.util.find_spec("keyring") is not None


def ntrip_state_text(state: str) -> str:
    """An NTRIP client state in the current language."""
    return {"off": tr("off"), "connecting": tr("connecting"), "streaming": tr("streaming"),
            "reconnecting": tr("reconnecting"), "auth_failed": tr("refused (user name or password)"),
            "error": tr("error"), "stopped": tr("stopped")}.get(state, state)


def _num(value, fmt: str = "{:.2f}", unit: str = "") -> str:
    return "—" if value is None else fmt.format(value) + unit


@dataclass(frozen=True)
class Position:
    """The receiver's latest position (geodetic, in the CORS frame)."""

    lat: float
    lon: float
    h_ell: float
    fix: str


class GnssPanel(QWidget):
    """Connection form, fix / satellites / corrections status, sky plot and occupation scatter.

    ``connection_changed(bool)`` after connect / disconnect (GUI thread).
    """

    connection_changed = Signal(bool)

    def __init__(self, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("gnssPanel")
        self.settings = settings
        self.session = None
        self.position: Position | None = None
        self._finished = None           # the last complete epoch (set from the receiver's thread)
        self._version = -1
        self._plots_at = -PLOT_INTERVAL_S       # monotonic time the plots were last fed
        self._plots_due = False
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.refresh)
        self._captions: dict[QLabel, str] = {}
        self._build()
        self.load_settings()
        self.retranslate()
        self._set_connected_ui(False)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 4, 4, 4)
        self.connection_box = QGroupBox()
        form = QFormLayout(self.connection_box)
        self.source_edit = QLineEdit()
        self.source_edit.setPlaceholderText("tcp://192.168.1.10:5017  serial:///dev/ttyUSB0?baud=115200")
        self.frame_combo = QComboBox()
        self.frame_combo.addItem("", None)
        for name in FRAMES:
            self.frame_combo.addItem(name, name)
        self.ntrip_check = QCheckBox()
        self.host_edit = QLineEdit()
        self.port_spin = QSpinBox()
        self.port_spin.setRange(1, 65535)
        self.port_spin.setValue(2101)
        host_row = QHBoxLayout()
        host_row.addWidget(self.host_edit, 1)
        host_row.addWidget(self.port_spin)
        self.mount_edit = QLineEdit()
        self.browse_button = QPushButton()
        mount_row = QHBoxLayout()
        mount_row.addWidget(self.mount_edit, 1)
        mount_row.addWidget(self.browse_button)
        self.user_edit = QLineEdit()
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.keyring_check = QCheckBox()
        self.version_combo = QComboBox()
        self.version_combo.addItem("NTRIP 1", 1)
        self.version_combo.addItem("NTRIP 2", 2)
        self.gga_spin = QDoubleSpinBox()
        self.gga_spin.setRange(0.0, 600.0)
        self.gga_spin.setDecimals(1)
        self.gga_spin.setValue(10.0)
        self.connect_button = QPushButton()
        self.connect_button.clicked.connect(self.toggle_connection)
        rows = (("Receiver", self.source_edit), ("Frame", self.frame_combo), (None, self.ntrip_check),
                ("Caster", host_row), ("Mountpoint", mount_row), ("User", self.user_edit),
                ("Password", self.password_edit), (None, self.keyring_check), ("Version", self.version_combo),
                ("GGA upload (s)", self.gga_spin), (None, self.connect_button))
        self._form_labels = {}
        for caption, widget in rows:
            if caption is None:
                form.addRow(widget)
            else:
                label = QLabel()
                self._form_labels[caption] = label
                form.addRow(label, widget)
        self.ntrip_check.toggled.connect(self._ntrip_toggled)
        box.addWidget(self.connection_box)

        self.status_box = QGroupBox()
        grid = QGridLayout(self.status_box)
        self.fix_label = QLabel()
        self.fix_label.setObjectName("gnssFix")
        self.fix_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.fix_label.setMinimumHeight(26)
        grid.addWidget(self.fix_label, 0, 0, 1, 2)
        self.values: dict[str, QLabel] = {}
        for row, key in enumerate(("receiver", "position", "grid", "sats", "dop", "sigma", "age", "rate",
                                   "ntrip", "rtcm"), start=1):
            caption, value = QLabel(), QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._captions[caption] = key
            self.values[key] = value
            grid.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, row, 1)
        grid.setColumnStretch(1, 1)
        box.addWidget(self.status_box)

        self.rtcm_table = QTableWidget(0, 3)
        self.rtcm_table.setObjectName("gnssRtcmTable")
        self.rtcm_table.verticalHeader().hide()
        header = self.rtcm_table.horizontalHeader()
        for col in (0, 1):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.rtcm_table.setWordWrap(False)
        self.rtcm_table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.rtcm_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.rtcm_table.setMaximumHeight(150)
        box.addWidget(self.rtcm_table)

        self.sky = SkyPlot()
        box.addWidget(self.sky)
        self.scatter = ScatterPlot()
        box.addWidget(self.scatter)
        self.reset_scatter_button = QPushButton()
        self.reset_scatter_button.clicked.connect(self.reset_scatter)
        box.addWidget(self.reset_scatter_button)
        box.addStretch(1)
        self.keyring_check.setEnabled(keyring_available())

    def retranslate(self) -> None:
        """Set every caption in the current language."""
        self.connection_box.setTitle(tr("Connection"))
        captions = {"Receiver": tr("Receiver"), "Frame": tr("Frame"), "Caster": tr("Caster"),
                    "Mountpoint": tr("Mountpoint"), "User": tr("User"), "Password": tr("Password"),
                    "Version": tr("Version"), "GGA upload (s)": tr("GGA upload (s)")}
        for key, label in self._form_labels.items():
            label.setText(captions[key])
        self.frame_combo.setItemText(0, tr("Project's frame"))
        self.source_edit.setToolTip(tr("Receiver: tcp://HOST:PORT, serial:///dev/ttyUSB0?baud=115200 "
                                       "(serial://COM3 on Windows) or file:///path.nmea?rate=LINES_PER_S"))
        self.ntrip_check.setText(tr("NTRIP corrections (CORS)"))
        self.browse_button.setText(tr("Sourcetable…"))
        self.password_edit.setToolTip(tr("Kept in memory only; never written to the settings"))
        self.keyring_check.setText(tr("Remember the password in the OS keyring"))
        if not keyring_available():
            self.keyring_check.setToolTip(tr("The keyring package is not installed: the password is kept "
                                             "in memory only"))
        self.gga_spin.setToolTip(tr("Seconds between GGA uploads to the caster (0: never)"))
        self.status_box.setTitle(tr("Status"))
        captions = {"receiver": tr("Receiver"), "position": tr("Position"), "grid": tr("Project grid"),
                    "sats": tr("Satellites used"), "dop": tr("DOP (H / P)"), "sigma": tr("σ h / σ v"),
                    "age": tr("Correction age"), "rate": tr("Data rate"), "ntrip": tr("NTRIP state"),
                    "rtcm": tr("RTCM corrections")}
        for label, key in self._captions.items():
            label.setText(captions[key])
        self.rtcm_table.setHorizontalHeaderLabels([tr("Type"), tr("Count"), tr("Message")])
        self.reset_scatter_button.setText(tr("Restart the scatter"))
        self._set_connected_ui(self.session is not None)
        self._version = -1
        self.refresh()

    def _ntrip_toggled(self, on: bool) -> None:
        for w in (self.host_edit, self.port_spin, self.mount_edit, self.user_edit, self.password_edit,
                  self.keyring_check, self.version_combo, self.gga_spin):
            w.setEnabled(on and (w is not self.keyring_check or keyring_available()))

    def _set_connected_ui(self, connected: bool) -> None:
        self.connect_button.setText(tr("Disconnect") if connected else tr("Connect"))
        for w in (self.source_edit, self.frame_combo, self.ntrip_check):
            w.setEnabled(not connected)
        self._ntrip_toggled(self.ntrip_check.isChecked() and not connected)

    # ---------------------------------------------------------------- settings
    def load_settings(self) -> None:
        """Fill the form from QSettings."""
        s = self.settings
        self.source_edit.setText(str(s.value(KEY + "source", "")))
        index = self.frame_combo.findData(s.value(KEY + "frame"))
        self.frame_combo.setCurrentIndex(max(index, 0))
        self.ntrip_check.setChecked(str(s.value(KEY + "ntrip", "false")).lower() == "true")
        self.host_edit.setText(str(s.value(KEY + "host", "")))
        self.port_spin.setValue(int(s.value(KEY + "port", 2101)))
        self.mount_edit.setText(str(s.value(KEY + "mountpoint", "")))
        self.user_edit.setText(str(s.value(KEY + "user", "")))
        self.version_combo.setCurrentIndex(max(self.version_combo.findData(int(s.value(KEY + "version", 1))), 0))
        self.gga_spin.setValue(float(s.value(KEY + "gga_interval", 10.0)))

    def save_settings(self) -> None:
        """Remember the connection fields (the password is not one of them)."""
        values = {"source": self.source_edit.text().strip(), "frame": self.frame_combo.currentData() or "",
                  "ntrip": self.ntrip_check.isChecked(), "host": self.host_edit.text().strip(),
                  "port": self.port_spin.value(), "mountpoint": self.mount_edit.text().strip(),
                  "user": self.user_edit.text().strip(), "version": self.version_combo.currentData(),
                  "gga_interval": self.gga_spin.value()}
        for key in SETTING_KEYS:
            self.settings.setValue(KEY + key, values[key])
        self.settings.sync()

    # -------------------------------------------------------------- connecting
    def frame(self) -> str | None:
        """The GNSS frame chosen (None: the project's own)."""
        return self.frame_combo.currentData()

    def ntrip_config(self, mountpoint: str | None = None):
        """The NTRIP connection from the form (``mountpoint`` "" for the sourcetable); UsageError if incomplete."""
        from importers.gnss.credentials import Secret, resolve_password
        from importers.gnss.ntrip import NtripConfig

        host = self.host_edit.text().strip()
        mount = self.mount_edit.text().strip() if mountpoint is None else mountpoint
        if not host:
            raise UsageError(tr("NTRIP: enter the caster's host name or address"))
        if mountpoint is None and not mount:
            raise UsageError(tr("NTRIP: enter a mountpoint (or pick one from the sourcetable)"))
        user = self.user_edit.text().strip() or None
        port = self.port_spin.value()
        typed = self.password_edit.text()
        secret = Secret(typed) if typed else resolve_password(user, host, port, None)
        return NtripConfig(host, port, mount, user, secret, int(self.version_combo.currentData()),
                           float(self.gga_spin.value()))

    def toggle_connection(self) -> None:
        """Connect, or disconnect when connected."""
        if self.session is None:
            self.connect_receiver()
        else:
            self.disconnect_receiver()

    def connect_receiver(self) -> bool:
        """Open the receiver (and the caster) on their threads; a message box says what is wrong."""
        from gis.geodesy.frames import DEFAULT_FRAME, frame_name
        from importers.gnss.session import GnssSession
        from importers.gnss.sources import parse_source

        if self.session is not None:
            return True
        try:
            source = parse_source(self.source_edit.text().strip())
            ntrip = self.ntrip_config() if self.ntrip_check.isChecked() else None
            if ntrip is not None and ntrip.user and self.keyring_check.isChecked() and self.password_edit.text():
                from importers.gnss.credentials import store_in_keyring

                store_in_keyring(ntrip.user, ntrip.host, ntrip.port, self.password_edit.text())
            session = GnssSession(source, ntrip, frame=frame_name(self.frame() or DEFAULT_FRAME))
        except SubterraError as exc:
            self._message(tr("Cannot connect"), str(exc))
            return False
        except Exception as exc:  # noqa: BLE001 - keyring back-ends raise their own errors
            self._message(tr("Cannot connect"), f"{type(exc).__name__}: {exc}")
            return False
        self.save_settings()
        self.position = self._finished = None
        session.status.on_epoch(self._epoch_finished)
        self.session = session.start()
        self._version = -1
        self._set_connected_ui(True)
        self._timer.start()
        self.refresh()
        self.connection_changed.emit(True)
        return True

    def disconnect_receiver(self, wait: bool = False) -> None:
        """Close the receiver and caster connections (on a background thread unless ``wait``)."""
        session, self.session = self.session, None
        self._timer.stop()
        if session is not None:
            session.status.unsubscribe(self._epoch_finished)
            if wait:
                session.stop()
            else:
                threading.Thread(target=session.stop, name="gnss-disconnect", daemon=True).start()
        self._set_connected_ui(False)
        self.refresh()
        if session is not None:
            self.connection_changed.emit(False)

    def _epoch_finished(self, epoch) -> None:
        """Receiver thread: keep the newest complete epoch (its GST / GSA figures are all in)."""
        self._finished = epoch

    def reset_scatter(self) -> None:
        """Start a new scatter (the next occupation starts one too)."""
        if self.session is not None:
            self.session.status.start_occupation()
            self.refresh()

    def _message(self, title: str, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Critical, title, text, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("gnssError")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # ----------------------------------------------------------------- display
    def refresh(self) -> None:
        """Redraw from the status model when it changed (age and rate every time)."""
        session = self.session
        if session is None:
            self._show_idle()
            return
        status = session.status
        self.values["age"].setText(_num(status.correction_age(), "{:.1f}", " s"))
        self.values["rate"].setText(_num(status.data_rate_hz(), "{:.1f}", " Hz"))
        version = status.version
        if version != self._version:
            self._version = version
            self._plots_due = True
            self._show(status)
        if self._plots_due and time.monotonic() - self._plots_at >= PLOT_INTERVAL_S:
            self._plots_due = False
            self._plots_at = time.monotonic()
            self._show_plots(status)

    def _show_idle(self) -> None:
        self._set_fix(None)
        for value in self.values.values():
            value.setText("—")
        self.values["receiver"].setText(tr("not connected"))
        self.rtcm_table.setRowCount(0)
        self.sky.set_sats([])
        self.scatter.set_points([], [], [])

    def _set_fix(self, fix: str | None) -> None:
        rgb = FIX_RGB.get(fix or "none", (0, 0, 0))
        text = fix_text(fix) if fix else tr("Not connected")
        self.fix_label.setText(text)
        if self.fix_label.property("fix") == (fix or "") and self.fix_label.styleSheet():
            return                          # re-styling is costly: only when the fix type changes
        self.fix_label.setProperty("fix", fix or "")
        self.fix_label.setStyleSheet(f"QLabel {{ background: rgb{rgb}; color: white; font-weight: bold; "
                                     "border-radius: 4px; padding: 3px; }")

    def _show(self, status) -> None:
        snap = status.snapshot()
        ep = status.latest_epoch()
        done = self._finished or ep
        self._set_fix(snap["fix"])
        v = self.values
        if status.receiver_connected:
            v["receiver"].setText(tr("connected, {count} sentences, {bad} bad checksums",
                                     count=snap["nmea"]["sentences"], bad=snap["nmea"]["bad_checksum"]))
        else:
            v["receiver"].setText(status.receiver_error or tr("connecting…"))
        pos = snap["position"]
        if pos["lat"] is not None and ep is not None and ep.has_position:
            v["position"].setText(f"{pos['lat']:.8f}°  {pos['lon']:.8f}°  h {_num(pos['h_ell'], '{:.3f}')} m "
                                  f"({pos['frame']})")
            self.position = (Position(pos["lat"], pos["lon"], pos["h_ell"], snap["fix"])
                             if pos["h_ell"] is not None else None)
        else:
            v["position"].setText("—")
            self.position = None
        used = snap["satellites_used"]
        per = [f"{constellation_label(k)} {n}" for k, n in used.items() if k != "total"]
        if used.get("total") is None:
            v["sats"].setText("—")
        elif per:
            v["sats"].setText(tr("{total} ({detail})", total=used["total"], detail=" · ".join(per)))
        else:
            v["sats"].setText(tr("{total} (no GSA: per constellation unknown)", total=used["total"]))
        if done is None:
            v["dop"].setText("—")
            v["sigma"].setText("—")
        else:
            v["dop"].setText(f"{_num(done.hdop)} / {_num(done.pdop)}")
            v["sigma"].setText(f"{_num(done.sigma_h, '{:.3f}', ' m')} / {_num(done.sigma_v, '{:.3f}', ' m')}")
        n = snap["ntrip"]
        if n["state"] == "off":
            v["ntrip"].setText(tr("off"))
        else:
            text = tr("{state}, {mountpoint} (NTRIP {version}), {reconnects} reconnects",
                      state=ntrip_state_text(n["state"]), mountpoint=n["mountpoint"], version=n["version"],
                      reconnects=n["reconnects"])
            v["ntrip"].setText(text + (f"\n{n['error']}" if n["error"] else ""))
        r = snap["rtcm"]
        v["rtcm"].setText(tr("{frames} frames, {kib} KiB, {crc} CRC errors", frames=r["frames"],
                             kib=f"{r['bytes'] / 1024:.1f}", crc=r["crc_errors"]))
        self._show_rtcm_types(r["types"])

    def _show_plots(self, status) -> None:
        from importers.gnss.capture import offsets_m

        self.sky.set_sats(status.sky())
        scatter = status.scatter()
        if scatter:
            dn, de = offsets_m([s[0] for s in scatter], [s[1] for s in scatter])
            self.scatter.set_points(dn.tolist(), de.tolist(), [s[2] for s in scatter])
        else:
            self.scatter.set_points([], [], [])

    def _show_rtcm_types(self, types: dict[str, int]) -> None:
        from pyrtcm import RTCM_MSGIDS

        table = self.rtcm_table
        table.setRowCount(len(types))
        for row, (mtype, count) in enumerate(types.items()):
            for col, text in enumerate((mtype, str(count), RTCM_MSGIDS.get(mtype, ""))):
                item = table.item(row, col)
                if item is None:
                    item = QTableWidgetItem()
                    table.setItem(row, col, item)
                item.setText(text)
