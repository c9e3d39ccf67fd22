"""The bundled example experiment (see ``conf/``)."""
