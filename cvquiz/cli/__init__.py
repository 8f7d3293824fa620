"""The command-line adapter: typer and rich live here and only here.

Each command reads its options, calls one service of the library, renders the result and maps errors.
Commands are listed in `cvquiz.cli.lazy` and imported only when they run.
"""
