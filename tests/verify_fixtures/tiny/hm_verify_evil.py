"""Named only by a tampered manifest: importing it leaves a marker file."""

import pathlib

pathlib.Path("EVIL-MODULE-IMPORTED").write_text("imported\n", encoding="utf-8")


def run(cfg):
    return {"value": 1.0}
