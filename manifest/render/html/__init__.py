"""The report as one self-contained HTML page (:func:`page.render`)."""
