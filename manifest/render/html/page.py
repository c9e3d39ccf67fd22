"""The report page: one HTML file with its CSS, script and charts inline.

No request ever leaves the page: a Content-Security-Policy allows no source
but the inline style and the one inline script, named by its sha256 (so even
markup that slipped through escaping could not run script). Without
JavaScript the page is complete (the tables and SVG charts are in the HTML);
the script only adds sorting (click a column header) and a filter box to the
runs table.
"""

from __future__ import annotations

import base64
import hashlib

from ...report.build import ReportData
from .markup import text
from .sections import SECTIONS

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;
color:#222;background:#fafafa}
header{background:#263238;color:#fff;padding:14px 24px}header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;color:#cfd8dc}nav a{color:#fff;margin-right:14px}
main{padding:8px 24px 40px}section{background:#fff;border:1px solid #e0e0e0;border-radius:6px;
padding:8px 16px 16px;margin:16px 0}h2{font-size:17px}h3{font-size:15px;margin:12px 0 6px}
table{border-collapse:collapse;margin:6px 0}th,td{border-bottom:1px solid #eee;padding:3px 8px;
text-align:left;white-space:nowrap}th{background:#f3f5f7;position:sticky;top:0}
td[data-v]{text-align:right;font-variant-numeric:tabular-nums}
.scroll{overflow:auto;max-height:70vh}th[aria-sort=ascending]::after{content:" \\25B2"}
th[aria-sort=descending]::after{content:" \\25BC"}th.sortable{cursor:pointer}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600}
.good{background:#c8e6c9;color:#1b5e20}.bad{background:#ffcdd2;color:#b71c1c}
.warn{background:#fff3c4;color:#7a5900}.neutral{background:#e0e0e0;color:#333}
.note{color:#6d4c41;font-size:13px}.chart text{font-size:11px;fill:#555}
.chart .axis{stroke:#999}.chart .zero{stroke:#999;stroke-dasharray:3 3}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px}
.swatch{display:inline-block;width:10px;height:10px;margin-right:4px}
figure{display:inline-block;margin:8px 16px 8px 0}figcaption{font-weight:600}
table.checks td{white-space:normal;max-width:420px;vertical-align:top}code{font-size:12px}
input[type=search]{width:360px;padding:4px}
"""

SCRIPT = """
(function () {
  var table = document.getElementById("runs-table");
  if (!table) { return; }
  var body = table.tBodies[0], filter = document.getElementById("runs-filter");
  var count = document.getElementById("runs-count");
  var heads = table.tHead.rows[0].cells;
  function key(cell, numeric) {
    if (!numeric) { return cell.textContent; }
    var v = cell.getAttribute("data-v");
    return v === null ? null : parseFloat(v);
  }
  Array.prototype.forEach.call(heads, function (th, i) {
    th.classList.add("sortable");
    th.tabIndex = 0;
    function sort() {
      var numeric = th.getAttribute("data-type") === "num";
      var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
      Array.prototype.forEach.call(heads, function (o) { o.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = key(a.cells[i], numeric), y = key(b.cells[i], numeric);
        if (x === null || y === null) { return x === y ? 0 : (x === null ? 1 : -1); }
        return dir * (numeric ? x - y : String(x).localeCompare(String(y)));
      });
      rows.forEach(function (r) { body.appendChild(r); });
    }
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function (e) { if (e.key === "Enter") { sort(); } });
  });
  filter.hidden = false;
  filter.addEventListener("input", function () {
    var words = filter.value.toLowerCase().split(/\\s+/).filter(Boolean), shown = 0;
    Array.prototype.forEach.call(body.rows, function (r) {
      var row = r.textContent.toLowerCase();
      var hit = words.every(function (w) { return row.indexOf(w) >= 0; });
      r.hidden = !hit;
      if (hit) { shown += 1; }
    });
    count.textContent = shown + " of " + body.rows.length + " runs";
  });
})();
"""


def _policy() -> str:
    digest = base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode()
    return (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )


def render(data: ReportData) -> str:
    """The whole page of ``data``: every section that has something to show."""
    bodies = [(s, s.render(data)) for s in SECTIONS]
    shown = [(s, body) for s, body in bodies if body]
    nav = "".join(f'<a href="#{s.id}">{text(s.title)}</a>' for s, _ in shown)
    sections = "".join(
        f'<section id="{s.id}"><h2>{text(s.title)}</h2>{body}</section>' for s, body in shown
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_policy()}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{text(data.title)}</title><style>{CSS}</style></head>"
        f"<body><header><h1>{text(data.title)}</h1>"
        f"<p>{len(data.runs)} run(s) from {text(', '.join(data.sources))}</p>"
        f"<nav>{nav}</nav></header><main>{sections}</main>"
        f"<script>{SCRIPT}</script></body></html>\n"
    )
