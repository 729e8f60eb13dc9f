"""``python -m limkb``: the command-line interface."""

from limkb.cli import main

main()
