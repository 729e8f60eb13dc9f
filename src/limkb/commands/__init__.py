"""One module per use case of the ``limkb`` command: build and serve, fmt, new, import-bib, import-table."""
