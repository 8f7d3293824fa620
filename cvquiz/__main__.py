"""``python -m cvquiz`` runs the command-line interface."""

from cvquiz.cli.app import main

main()
