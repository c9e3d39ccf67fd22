"""The report: what one HTML page shows about a set of runs, gathered from
the runs table, logged metric curves, a comparison, a gate decision and a
verification report (rendered by :mod:`manifest.render.html`)."""
