"""Analysis > Excavation check… (area and proposed pipe) and Export report… on the small demo."""
from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox

from app.gui.check_dialogs import ExcavationDialog, square_wkt
from tests.gui.checks_support import planted, run_clearance
from tests.gui.conftest import when_modal


def fill_dialog(qtbot, win, fill) -> None:
    """Trigger Analysis > Excavation check…, let ``fill(dialog)`` set it up, press OK, wait for the check."""
    seen = {}

    def answer(dlg) -> None:
        seen["dialog"] = dlg
        fill(dlg)
        dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()

    when_modal(ExcavationDialog, answer)
    win.checks.act_excavation.trigger()
    assert "dialog" in seen
    qtbot.waitUntil(lambda: not win.runner.busy and win.checks.panel.result is not None, timeout=60000)


def v1_site(win, path):
    v1 = planted(path)["V1"]
    segs = win.project.frames["pipe_segments"]
    mid = segs.loc[v1["a_id"]].geometry.interpolate(0.5, normalized=True)
    return v1, mid


def test_excavation_area_lists_what_is_in_the_way(qtbot, checks_window, demo_copy):
    win = checks_window
    v1, mid = v1_site(win, demo_copy)

    def fill(dlg):
        assert dlg.mode() == "area" and dlg.depth.isChecked()
        dlg.area.text.setPlainText(square_wkt(mid.x, mid.y, 6.0))
        dlg.level.setValue(3.0)
        dlg.buffer.setValue(0.5)

    fill_dialog(qtbot, win, fill)
    result = win.checks.panel.result
    assert result.check == "excavation"
    hits = result.findings[result.findings["b_layer"].astype(str) == "excavations"]
    assert {v1["a_id"], v1["b_id"]} <= set(hits["a_id"].astype(str))
    assert set(hits["b_id"].astype(str)) == {"adhoc"}
    assert win.map2d.stage.overlay("findings") is not None


def test_proposed_pipe_is_checked_as_a_tube(qtbot, checks_window, demo_copy):
    win = checks_window
    v1, mid = v1_site(win, demo_copy)

    def fill(dlg):
        dlg.set_mode("line")
        dlg.line.setPlainText(f"LINESTRING ({mid.x - 15:.3f} {mid.y:.3f}, {mid.x + 15:.3f} {mid.y:.3f})")
        dlg.utility.setCurrentIndex(dlg.utility.findData("RQ"))
        dlg.round.setChecked(True)
        dlg.diameter.setValue(200.0)
        assert dlg.depth.text() == "Cover to the pipe top" and not dlg.bottom_elev.isVisible()
        dlg.depth.setChecked(True)
        dlg.level.setValue(1.0)

    fill_dialog(qtbot, win, fill)
    result = win.checks.panel.result
    kinds = set(result.findings["kind"].astype(str))
    assert kinds & {"proposed_horizontal", "proposed_vertical"}
    crossed = result.findings[result.findings["kind"].astype(str) == "proposed_vertical"]
    assert v1["a_id"] in set(crossed["a_id"].astype(str))


def test_export_report_writes_html_and_pdf(qtbot, checks_window, tmp_path):
    win = checks_window
    assert not win.checks.act_export.isEnabled()
    result = run_clearance(qtbot, win)
    assert win.checks.act_export.isEnabled() and win.checks.panel.export_button.isEnabled()
    for name in ("report.html", "report.pdf"):
        out = tmp_path / name
        assert win.checks.export_report(str(out))
        qtbot.waitUntil(lambda: not win.runner.busy, timeout=120000)
        assert out.exists()
        assert win.statusBar().currentMessage() == f"Report written: {out}"
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert result.run_id in html and "管线净距分析报告" in html
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")


def test_metro_special_zone_audit_from_the_menu(qtbot, checks_window, demo_copy):
    """Analysis > Pipes in metro special zones lists the planted pipe over the tunnels, marked in both views."""
    win = checks_window
    v7 = planted(demo_copy)["V7"]
    menu_texts = [a.text() for a in win.checks.menu.actions()]
    assert "Pipes in &metro special zones" in menu_texts
    win.checks.act_special_zone.trigger()
    qtbot.waitUntil(lambda: not win.runner.busy and win.checks.panel.result is not None
                    and win.checks.panel.result.check == "zones", timeout=60000)
    findings = win.checks.panel.result.findings
    assert set(findings["a_id"]) == {v7["a_id"]} and v7["b_id"] in set(findings["b_id"])
    assert win.checks.panel.table.model().rowCount() == len(findings)
