"""A report as one self-contained HTML page (UTF-8, inline CSS, the map as a data URI).

The same markup feeds the PDF writer (viewers.qt_print), which hands Qt's
rich-text engine an image resource name instead of the data URI; it keeps
to the HTML subset both understand (tables with attributes, inline styles).
Every value that comes from data (ids, owners, notes, paths) is escaped.
"""
from __future__ import annotations

import base64
import html
import math

import pandas as pd

from gis import layers as registry
from gis.policy import WITHHELD
from gis.report.model import Report
from gis.report.style import CONFIDENCE_BADGE, SEVERITY_COLOURS, SEVERITY_TEXT, hex_colour
from gis.report.text import (CONFIDENCE, CONFIDENCE_MEANING, DETAILS, LABELS, SECTIONS, SEVERITY, T,
                             kind_label, pick)

CSS = """
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei",
       "PingFang SC", sans-serif; font-size: 10pt; color: #111; margin: 16px; }
h1 { font-size: 17pt; margin: 0 0 8px 0; }
h2 { font-size: 12.5pt; margin: 16px 0 6px 0; border-bottom: 1px solid #888; }
table { border-collapse: collapse; margin: 4px 0; }
th, td { border: 1px solid #999; padding: 2px 4px; vertical-align: top; text-align: left; }
th { background-color: #e9e9e9; }
td.num { text-align: right; }
td.layout { border: none; padding: 0 14px 0 0; }
table.findings { font-size: 7.5pt; }
table.findings td, table.findings th { overflow-wrap: anywhere; }
.layer { color: #555; font-size: 90%; }
.note { color: #444; font-size: 90%; }
.notice { background-color: #fff4ce; padding: 4px; }
.badge { font-weight: bold; padding: 0 3px; white-space: nowrap; }
p.caption { color: #333; font-size: 9pt; }
tr { break-inside: avoid; page-break-inside: avoid; }
thead { display: table-header-group; }
h2 { break-after: avoid; page-break-after: avoid; }
@page { size: A4 landscape; margin: 12mm; }
@media print { body { margin: 0; } }
"""

QT_CSS = """
h1 { font-size: 15pt; } h2 { font-size: 11.5pt; } th { background-color: #e9e9e9; }
.findings { font-size: 7pt; } .layer { color: #555555; } .note { color: #444444; } .caption { color: #333333; }
"""
"""Style for Qt's rich-text engine (PDF): type and class selectors only, which it applies fast."""

FINDING_COLUMNS = (   # (field of the findings layer, width %)
    ("finding_id", 4), ("kind", 10), ("a_id", 11), ("b_id", 11), ("required_m", 5), ("actual_m", 5),
    ("deficit_m", 5), ("severity", 6), ("uncertain", 4), ("rule_id", 7), ("source", 21), ("confidence", 11))
TABLE = 'border="1" cellspacing="0" cellpadding="3"'
NBSP = "\u00a0"


def e(value) -> str:
    """HTML-escaped text of a value ("" for None / NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)


def metres(value) -> str:
    """A distance in metres to the centimetre, "" when unknown."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return ""
    return "" if math.isnan(v) else f"{0.0 if abs(v) < 0.005 else v:.2f}"


class _Writer:
    def __init__(self, report: Report):
        self.r = report
        self.lang = report.options.lang

    def t(self, text: T | str, sep: str = " ") -> str:
        return e(pick(text, self.lang, sep))

    def label(self, key: str, **fmt) -> str:
        text = LABELS[key]
        return e(pick(T(text.zh.format(**fmt), text.en.format(**fmt)), self.lang)) if fmt else self.t(text)

    def field(self, name: str) -> str:
        f = registry.get("findings").field(name)
        return self.t(T(f.label("zh"), f.label("en")))

    def severity_cell(self, sev: str, text: str | None = None) -> str:
        rgb = SEVERITY_COLOURS.get(sev, SEVERITY_COLOURS["info"])
        return (f'<td style="background-color:{hex_colour(rgb)};color:{SEVERITY_TEXT.get(sev, "#000")}">'
                f'{text if text is not None else self.t(SEVERITY.get(sev, T(sev, sev)))}</td>')

    def badge(self, confidence) -> str:
        key = confidence if confidence in CONFIDENCE else None
        colours = CONFIDENCE_BADGE[key]
        if colours is None:
            return self.t(CONFIDENCE[key])
        return (f'<span class="badge conf-{e(key or "none")}" style="background-color:{colours[0]};'
                f'color:{colours[1]};font-weight:bold">{self.t(CONFIDENCE[key], NBSP)}</span>')

    # ------------------------------------------------------------ sections
    def head(self, css: str) -> str:
        r = self.r
        return (f'<!DOCTYPE html>\n<html lang="{"en" if self.lang == "en" else "zh-CN"}">\n<head>\n'
                f'<meta charset="utf-8">\n<meta name="generator" content="Subterra">\n'
                f'<title>{self.t(r.title)} — {e(r.run_id)}</title>\n<style>{css}</style>\n</head>\n<body>\n')

    def overview(self) -> str:
        r = self.r
        rows = [("project", e(r.project["path"])), ("crs", e(r.project["crs"])),
                ("check", f'{e(r.check)} — {self.t(r.title)}'), ("run_id", e(r.run_id)),
                ("run_time", e(r.run_time)), ("generated", e(r.generated))]
        files = "<br>".join(
            f'{self.label({"builtin": "builtin", "project": "project_rules", "user": "user"}[f.origin])}: '
            f'{e(f.name)} ({self.label("rows")} {f.rows}; SHA-256 <code>{e(f.sha256)}</code>)'
            for f in r.rule_files)
        rows.append(("rule_files", files))
        body = "".join(f'<tr><th width="18%">{self.label(k)}</th><td>{v}</td></tr>' for k, v in rows)
        out = f'<h1>{self.t(r.title)}</h1>\n<table class="meta" {TABLE} width="100%">{body}</table>\n'
        if r.withheld["findings"]:
            out += (f'<p class="notice" style="background-color:#fff4ce">'
                    f'{self.label("withheld", n=r.withheld["findings"], layers=", ".join(r.withheld["layers"]))}</p>\n')
        if r.sensitive_included:
            out += (f'<p class="notice" style="background-color:#fde0dd">'
                    f'{self.label("sensitive_included", layers=", ".join(r.sensitive_included))}</p>\n')
        return out

    def summary(self) -> str:
        s = self.r.summary
        out = f'<h2>{self.t(SECTIONS["summary"])}</h2>\n'
        counts = [("findings", s["findings"]), ("violations", s["violations"]), ("uncertain", s["uncertain"])]
        if s["no_rule_pairs"] is not None:
            counts.append(("no_rule_pairs", s["no_rule_pairs"]))
        totals = f'<table class="counts" {TABLE}>' + "".join(
            f'<tr><th>{self.label(k)}</th><td class="num" align="right">{int(v)}</td></tr>' for k, v in counts)
        totals += "</table>"
        sev = "".join(f'<tr>{self.severity_cell(k)}<td class="num" align="right">{n}</td></tr>'
                      for k, n in s["by_severity"].items())
        kinds = "".join(f'<tr><td>{self.t(kind_label(k))}</td><td class="num" align="right">{n}</td></tr>'
                        for k, n in s["by_kind"].items()) or f'<tr><td colspan="2">{self.label("none")}</td></tr>'
        conf = "".join(f'<tr><td>{self.badge(k)}</td><td class="num" align="right">{n}</td></tr>'
                       for k, n in s["by_confidence"].items()) or f'<tr><td colspan="2">{self.label("none")}</td></tr>'
        boxes = [totals] + [f'<table class="breakdown" {TABLE}><tr><th>{self.label(key)}</th>'
                            f'<th>{self.label("count")}</th></tr>{rows}</table>'
                            for key, rows in (("by_severity", sev), ("by_kind", kinds), ("by_confidence", conf))]
        out += ('<table class="layout" border="0" cellspacing="0" cellpadding="0"><tr>'
                + "".join(f'<td class="layout" style="border:none;padding:0 14px 0 0">{b}</td>' for b in boxes)
                + "</tr></table>\n")
        if s["details"]:
            out += (f'<table class="details" {TABLE}><thead><tr><th colspan="2">{self.label("details")}</th></tr>'
                    f'</thead>' + "".join(
                        f'<tr><td>{self.t(DETAILS[k])}</td><td class="num" align="right">{e(v)}</td></tr>'
                        for k, v in s["details"].items()) + "</table>\n")
        if s["no_rule_classes"]:
            out += (f'<table class="norule" {TABLE}><thead><tr><th>{self.label("no_rule_classes")}</th>'
                    f'<th>{self.label("count")}</th></tr></thead>' + "".join(
                        f'<tr><td>{e(k)}</td><td class="num" align="right">{e(v)}</td></tr>'
                        for k, v in s["no_rule_classes"].items()) + "</table>\n")
        if s["warnings"]:
            out += (f'<p><b>{self.label("warnings")}</b></p><ul>'
                    + "".join(f"<li>{e(w)}</li>" for w in s["warnings"]) + "</ul>\n")
        return out

    def map(self, image_src: str | None, image_width: int | None) -> str:
        m = self.r.map
        out = f'<h2>{self.t(SECTIONS["map"])}</h2>\n'
        if m.png is None:
            why = pick(m.missing or T("", ""), self.lang)
            return out + f'<p>{self.label("map_missing", why=why)}</p>\n'
        src = image_src or "data:image/png;base64," + base64.b64encode(m.png).decode("ascii")
        w = image_width or m.size[0]
        h = round(w * m.size[1] / m.size[0])
        width_m = m.bbox[2] - m.bbox[0]
        bbox = f"{m.bbox[0]:.1f}, {m.bbox[1]:.1f} – {m.bbox[2]:.1f}, {m.bbox[3]:.1f}"
        legend = " ".join(
            f'<span style="background-color:{hex_colour(SEVERITY_COLOURS[k])};color:{SEVERITY_TEXT[k]}">'
            f'&nbsp;{self.t(SEVERITY[k])} {n}&nbsp;</span>' for k, n in m.markers.items() if n)
        return out + (f'<p><img class="map" src="{e(src)}" width="{w}" height="{h}" '
                      f'style="max-width:100%;height:auto" alt="map extract"></p>\n'
                      f'<p class="caption">{self.label("map_caption", bbox=bbox, crs=self.r.project["crs"], width=f"{width_m:.0f}")}'
                      f'<br>{self.label("legend")}: {legend}</p>\n')

    def findings(self, csv_name: str | None) -> str:
        r = self.r
        out = f'<h2>{self.t(SECTIONS["findings"])}</h2>\n'
        if not r.total:
            return out + f'<p>{self.label("no_findings")}</p>\n'
        if r.capped:
            out += (f'<p class="notice" style="background-color:#fff4ce">'
                    f'{self.label("capped", shown=len(r.rows), total=r.total, csv=csv_name or "")}</p>\n')
        out += self.confidence_legend()
        out += f'<p class="caption">{self.label("number_note")}</p>\n'
        head = "".join(f'<th width="{w}%">{self.label("number") if name == "finding_id" else self.field(name)}</th>'
                       for name, w in FINDING_COLUMNS)
        rule_notes = dict(zip(r.rules_cited["rule_id"], r.rules_cited["note"]))
        body = [self.finding_row(row, rule_notes) for row in r.rows.itertuples(index=False)]
        return out + (f'<table class="findings" {TABLE} width="100%"><thead><tr>{head}</tr></thead>\n<tbody>\n'
                      + "\n".join(body) + "\n</tbody></table>\n")

    def finding_row(self, f, rule_notes: dict) -> str:
        kind = self.t(kind_label(str(f.kind)))
        note = _own_note(f.note, rule_notes.get(f.rule_id))
        note = f'<br><span class="note">{e(note)}</span>' if note else ""
        fid = str(f.finding_id)
        number = fid[len(self.r.run_id) + 1:] if fid.startswith(self.r.run_id + "-") else fid
        cells = [
            f'<td title="{e(fid)}">{e(number)}</td>',
            f"<td>{kind}{note}</td>",
            self.side(f.a_layer, f.a_id), self.side(f.b_layer, f.b_id),
            f'<td class="num" align="right">{metres(f.required_m)}</td>',
            f'<td class="num" align="right">{metres(f.actual_m)}</td>',
            f'<td class="num" align="right">{metres(f.deficit_m)}</td>',
            self.severity_cell(str(f.severity)),
            f'<td>{self.label("yes") if _true(f.uncertain) else ""}</td>',
            f"<td>{e(f.rule_id)}</td>",
            f"<td>{e(f.source)}</td>",
            f"<td>{self.badge(None if pd.isna(f.confidence) else f.confidence)}</td>"]
        conf = "none" if pd.isna(f.confidence) else e(f.confidence)
        return f'<tr class="finding conf-{conf}" data-finding-id="{e(f.finding_id)}">' + "".join(cells) + "</tr>"

    def side(self, layer, fid) -> str:
        if layer is None or (isinstance(layer, float) and math.isnan(layer)):
            return "<td></td>"
        label = self.layer_label(str(layer))
        ident = f"<i>{e(fid)}</i>" if fid == WITHHELD else f"<b>{e(fid)}</b>"
        return f'<td>{ident} <span class="layer">{e(label)}</span></td>'

    def layer_label(self, name: str) -> str:
        """A layer's display name (Chinese only when the report is Chinese only)."""
        return registry.LAYERS[name].label("zh" if self.lang == "zh" else "en") if name in registry.LAYERS else name

    def confidence_legend(self) -> str:
        rows = "".join(f"<tr><td>{self.badge(k)}</td><td>{self.t(v)}</td></tr>"
                       for k, v in CONFIDENCE_MEANING.items())
        return (f'<table class="legend" {TABLE}><thead><tr><th colspan="2">{self.label("confidence_legend")}</th>'
                f"</tr></thead>{rows}</table>\n")

    def rules(self) -> str:
        rc = self.r.rules_cited
        if not len(rc):
            return ""
        names = ("rule_id", "kind", "a", "b", "min_m", "source", "confidence", "note")
        head = "".join(f"<th>{e(n)}</th>" for n in names)
        body = "".join(
            f"<tr><td>{e(x.rule_id)}</td><td>{e(x.kind)}</td><td>{e(x.a)}</td><td>{e(x.b)}</td>"
            f'<td class="num" align="right">{metres(x.min_m)}</td><td>{e(x.source)}</td>'
            f"<td>{self.badge(x.confidence)}</td><td>{e(x.note)}</td></tr>" for x in rc.itertuples(index=False))
        return (f'<h2>{self.t(SECTIONS["rules"])}</h2>\n<table class="rules" {TABLE} width="100%">'
                f"<thead><tr>{head}</tr></thead>{body}</table>\n")

    def owners(self) -> str:
        out = f'<h2>{self.t(SECTIONS["owners"])}</h2>\n'
        if not self.r.owners:
            return out + f'<p>{self.label("none")}</p>\n'
        head = (f'<th width="20%">{self.label("owner")}</th><th width="8%">{self.label("worst")}</th>'
                f'<th width="8%">{self.label("findings")}</th><th>{self.label("features")}</th>')
        rows = []
        for g in self.r.owners:
            feats = "; ".join(f"{e(fid)} <span class=\"layer\">({e(self.layer_label(layer))}, {self.t(SEVERITY[sev])}"
                              f"{'' if n == 1 else f' ×{n}'})</span>" for layer, fid, sev, n in g.features)
            more = g.total_features - len(g.features)
            if more > 0:
                feats += f"; {self.label('more', n=more)}"
            owner = e(g.owner) if g.owner else self.label("no_owner")
            rows.append(f'<tr class="owner"><td><b>{owner}</b></td>{self.severity_cell(g.worst)}'
                        f'<td class="num" align="right">{g.findings}</td><td>{feats}</td></tr>')
        return out + (f'<table class="owners" {TABLE} width="100%"><thead><tr>{head}</tr></thead>'
                      + "".join(rows) + "</table>\n")

    def notes(self) -> str:
        out = f'<h2>{self.t(SECTIONS["notes"])}</h2>\n'
        for text in self.r.notes:
            out += "".join(f"<p>{e(part)}</p>" for part in _paragraphs(text, self.lang)) + "\n"
        if self.r.bands:
            body = "".join(f'<tr><td>{e(k)}</td><td class="num" align="right">{metres(v)}</td></tr>'
                           for k, v in self.r.bands.items())
            out += (f'<p>{self.label("bands")}</p><table class="bands" {TABLE}><thead><tr>'
                    f'<th>{self.label("quality_level")}</th><th>{self.label("band_m")}</th></tr></thead>{body}</table>\n')
        return out + f'<p class="caption">{self.label("generator")} · {e(self.r.generated)} UTC</p>\n'


def _own_note(note, rule_note) -> str:
    """A finding's note without its rule's note (the rules table shows that once)."""
    text = "" if note is None or (isinstance(note, float) and math.isnan(note)) else str(note)
    if rule_note and text.startswith(rule_note):
        text = text[len(rule_note):].lstrip("; ")
    return text


def _paragraphs(text: T, lang: str) -> list[str]:
    return [text.zh, text.en] if lang == "both" else [pick(text, lang)]


def _true(value) -> bool:
    return bool(value) and not (isinstance(value, float) and math.isnan(value))


def render_html(report: Report, image_src: str | None = None, image_width: int | None = None,
                csv_name: str | None = None, css: str = CSS) -> str:
    """The report as an HTML document.

    ``image_src`` replaces the embedded data URI of the map (the PDF writer
    uses an image resource); ``image_width`` sets its width in the page's
    units; ``csv_name`` is the companion CSV the text points to when the
    table is capped; ``css`` the style sheet (QT_CSS for the PDF).
    """
    w = _Writer(report)
    return (w.head(css) + w.overview() + w.summary() + w.map(image_src, image_width) + w.findings(csv_name)
            + w.rules() + w.owners() + w.notes() + "</body>\n</html>\n")
