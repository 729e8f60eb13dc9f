"""The site, independent of MkDocs: context, entry pages, overview pages, plots, markup, templates."""
