"""The one-page scenario brief as a self-contained HTML document (A4 print CSS)."""
from __future__ import annotations

import base64
import datetime as _dt
import html
import re
from typing import Any

from model.run import ScenarioResult
from ui.exports.brief_text import _brief
from ui.text.i18n import t

_CSS = """
@page { size: A4 portrait; margin: 10mm 12mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "Source Sans 3", "Source Sans Pro", Arial, "Liberation Sans", Helvetica, "DejaVu Sans",
       sans-serif; color: #1a1a1a; font-size: 9pt; line-height: 1.28; margin: 0 auto; max-width: 186mm; }
header { display: flex; justify-content: space-between; color: #555; font-size: 7.5pt; }
h1 { font-size: 16pt; margin: 0.5mm 0 0; line-height: 1.15; overflow-wrap: anywhere; }
.subtitle { color: #444; margin: 0 0 2mm; }
.figures { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 2mm; margin-bottom: 2mm; }
.figure { border: 0.3mm solid #ccc; border-top: 1.2mm solid #0072B2; padding: 1.2mm 1.8mm; }
.figure.good { border-top-color: #1b6e3a; } .figure.bad { border-top-color: #D55E00; }
.figure .label { font-size: 7.5pt; color: #444; }
.figure .value { font-size: 12.5pt; font-weight: bold; white-space: nowrap; }
.figure .sub { font-size: 7pt; color: #555; line-height: 1.2; }
h2 { font-size: 10pt; margin: 1.8mm 0 0.8mm; }
.summary p { margin: 0; }
.summary p.note { margin-top: 0.5mm; }
figure.chart { margin: 0; } figure.chart img { width: 100%; height: auto; max-height: 64mm;
                                               object-fit: contain; object-position: left; display: block; }
.cols { display: grid; grid-template-columns: minmax(0, 11fr) minmax(0, 9fr); gap: 5mm; }
table { border-collapse: collapse; width: 100%; font-size: 8pt; }
th, td { text-align: left; padding: 0.35mm 1mm; border-bottom: 0.2mm solid #ddd; vertical-align: top; }
th { font-size: 7pt; color: #555; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.strong { font-weight: bold; }
tr.total td { font-weight: bold; border-bottom: none; }
.bar { display: inline-block; height: 2.4mm; background: #0072B2; vertical-align: middle; }
.note { font-size: 7pt; color: #555; margin: 0.5mm 0 0; line-height: 1.2; }
ul.assumptions { margin: 0; padding-left: 3.5mm; font-size: 6.9pt; line-height: 1.22; color: #333; }
ul.assumptions li { margin: 0; }
footer { display: flex; gap: 4mm; align-items: flex-start; margin-top: 2mm; border-top: 0.3mm solid #ccc;
         padding-top: 1.5mm; font-size: 7pt; line-height: 1.25; break-inside: avoid; }
footer .qr { width: 24mm; height: 24mm; flex: none; order: 2; margin-left: auto; }
footer .url { overflow-wrap: anywhere; word-break: break-all; font-size: 7pt; color: #0072B2; }
.source { color: #444; margin: 1mm 0 0; }
section, .cols, figure.chart { break-inside: avoid; }
@media screen { body { margin: 8mm auto; } }
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def brief_html(result: ScenarioResult, lang: str = "sv", share_url: str = "", *,
               today: _dt.date | None = None, scenario_name: str | None = None) -> str:
    """The one-page scenario brief as a self-contained HTML document (prints on one A4 page).

    Parameters
    ----------
    result : ScenarioResult
        A deterministic run.
    lang : str, default "sv"
        "sv" or "en".
    share_url : str
        The dashboard link that reproduces the scenario (shown as text and QR code).
    today : datetime.date, optional
        Date printed on the brief (default today).
    scenario_name : str, optional
        Overrides the scenario's own name (e.g. a name the user typed).

    Returns
    -------
    str
        HTML with every text escaped and the chart and QR code as ``data:`` URIs.
    """
    b = _brief(result, lang, share_url, today, scenario_name)
    out: list[str] = []
    w = out.append
    w(f'<!DOCTYPE html>\n<html lang="{_e(b.lang)}">\n<head>\n<meta charset="utf-8">\n')
    w('<meta name="viewport" content="width=device-width, initial-scale=1">\n')
    w(f"<title>{_e(b.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n")
    w(f"<header><span>{_e(b.kind)}</span><span>{_e(b.date)}</span></header>\n")
    w(f"<h1>{_e(b.title)}</h1>\n<p class=\"subtitle\">{_e(b.subtitle)}</p>\n")
    w('<section class="figures">\n')
    for f in b.figures:
        cls = "" if f.good is None else (" good" if f.good else " bad")
        w(f'<div class="figure{cls}"><div class="label">{_e(f.label)}</div>'
          f'<div class="value">{_e(f.value)}</div><div class="sub">{_e(f.sub)}</div></div>\n')
    w("</section>\n")
    w('<section class="summary">\n')
    w(f"<p>{_e(' '.join(b.summary))}</p>")
    w("".join(f'<p class="note">{_e(n)}</p>' for n in b.notes))
    w("</section>\n")
    alt = _e(t("exports.brief.chart_alt", b.lang, description=b.chart_description))
    w(f'<figure class="chart"><h2>{_e(b.chart_title)}</h2>'
      f'<img src="{_data_uri(b.chart_png)}" alt="{alt}">'
      f"</figure>\n")
    w('<div class="cols">\n<section>\n')
    w(f"<h2>{_e(b.measures_title)}</h2>\n")
    if b.measures:
        h = b.measure_headers
        w(f'<table><thead><tr><th>{_e(h[0])}</th><th class="num">{_e(h[1])}</th>'
          f'<th class="num">{_e(h[2])}</th></tr></thead><tbody>\n')
        for label, value, red in b.measures:
            w(f'<tr><td>{_e(label)}</td><td class="num">{_e(value)}</td><td class="num strong">{_e(red)}</td></tr>\n')
        w("</tbody></table>\n")
    else:
        w(f"<p>{_e(b.measures_none)}</p>\n")
    w("</section>\n<section>\n")
    w(f"<h2>{_e(b.actors_title)}</h2>\n<table><tbody>\n")
    for label, value, share in b.actors:
        width = max(0.0, min(share, 1.0)) * 22
        w(f'<tr><td>{_e(label)}</td><td><span class="bar" style="width:{width:.1f}mm"></span></td>'
          f'<td class="num">{_e(value)}</td></tr>\n')
    w(f'<tr class="total"><td>{_e(b.actors_total[0])}</td><td></td>'
      f'<td class="num">{_e(b.actors_total[1])}</td></tr>\n</tbody></table>\n')
    w(f'<p class="note">{_e(b.actors_note)}</p>\n</section>\n</div>\n')
    w(f'<section>\n<h2>{_e(b.assumptions_title)}</h2>\n<ul class="assumptions">\n')
    w("".join(f"<li>{_e(a)}</li>\n" for a in b.assumptions))
    w("</ul>\n</section>\n")
    w("<footer>\n")
    if b.share_url:
        href = b.share_url if re.match(r"^https?://", b.share_url, re.I) else None
        if b.qr_png:
            w(f'<img class="qr" src="{_data_uri(b.qr_png)}" alt="{_e(b.link_title)} (QR)">\n')
        w(f"<div><strong>{_e(b.link_title)}</strong><br>")
        if href:
            w(f'<a class="url" href="{_e(href)}">{_e(b.share_url)}</a>')
        else:
            w(f'<span class="url">{_e(b.share_url)}</span>')
        w(f"<br>{_e(b.link_help)}\n")
    else:
        w("<div>")
    w(f'<p class="source">{_e(b.source_line)}</p></div>\n</footer>\n</body>\n</html>\n')
    return "".join(out)

