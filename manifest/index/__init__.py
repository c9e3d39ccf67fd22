"""The runs index: an SQLite cache of what ``ls``, ``show`` and the query API read.

Manifest files stay the source of truth. The index holds one row per file
(its stamp: size, mtime, inode, ctime; and the fields a query needs), lives
in the user's cache folder (never in the project, so it cannot dirty a git
tree or be taken for a manifest), is updated incrementally on every use and
rebuilt from the files when it is missing, corrupt or of another version.
"""
