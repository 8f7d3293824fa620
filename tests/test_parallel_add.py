"""Several ``cvquiz add`` at once never lose a card: creating a deck file is as safe as appending to one."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from cvquiz.deckfile.loader import load_deck

pytestmark = pytest.mark.skipif(
    shutil.which("cvquiz") is None, reason="cvquiz is not installed on PATH"
)


@pytest.mark.slow
@pytest.mark.parametrize("deck", ["race/first", "race/second"])
def test_three_adds_creating_one_new_deck_lose_nothing(user_decks: Path, deck: str) -> None:
    env = dict(os.environ)
    subprocess.run(["cvquiz", "decks"], env=env, capture_output=True, check=True, timeout=120)
    adds = [
        subprocess.Popen(
            ["cvquiz", "add", "--deck", deck, "-q", f"Race question {n}?", "-a", "A.", "--json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(3)
    ]
    reported: list[str] = []
    for add in adds:
        out, err = add.communicate(timeout=120)
        if add.returncode == 0:
            reported += [c["id"] for c in json.loads(out)["added"]]
        else:  # a refusal must say so, and ask to try again
            assert "try again" in err and "Added" not in out + err, err
    in_file = {c.id for c in load_deck(user_decks / f"{deck}.yaml").cards}
    assert reported and set(reported) <= in_file
    assert len(in_file) == len(reported)  # and nothing that was not reported
