"""The ``cvquiz`` console script: answers ``--version`` at once, and otherwise runs the app.

Building the app imports every command module and lets typer read each command's signature, which is most of
start-up; a version check needs none of it.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run the command line."""
    if sys.argv[1:] == ["--version"]:
        from cvquiz import __version__

        print(f"cvquiz {__version__}")
        return
    from cvquiz.cli.language import startup_lang
    from cvquiz.i18n import set_language, translate_libraries

    set_language(startup_lang(sys.argv[1:]))
    translate_libraries()
    from cvquiz.cli.app import app

    app()
