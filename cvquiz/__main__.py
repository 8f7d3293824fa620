"""``python -m cvquiz`` runs the command-line interface."""

from cvquiz.cli.entry import main

main()
