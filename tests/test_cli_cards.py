"""``cvquiz add``, ``show``, ``search``, ``edit``, ``suspend``/``unsuspend``/``forget`` and ``import``."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from _english import english_words
from rich.cells import cell_len
from typer.testing import CliRunner

from cvquiz.cli.app import app
from cvquiz.deckfile.loader import load_deck

runner = CliRunner()

MINE = """\
# Cards I wrote myself.
deck: my/notes
name: "My::Notes"

cards:
  - id: iou
    question: 'What is IoU?'   # intersection over union
    answer: Intersection over union.
    tags: [detection]
"""


@pytest.fixture
def mine(user_decks: Path) -> Path:
    path = user_decks / "my" / "notes.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(MINE, encoding="utf-8")
    return path


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the editor commands believe a terminal is attached (the runner's stdin is not one)."""
    from cvquiz.cli.context import Env

    monkeypatch.setattr(Env, "stdin_is_tty", property(lambda self: True))


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


def fake_editor(tmp_path: Path, body: str) -> str:
    """Write a Python script that acts as $EDITOR (its last argument is the file) and return its path."""
    script = tmp_path / "fake_editor.py"
    script.write_text(f"#!{sys.executable}\n" + textwrap.dedent(body), encoding="utf-8")
    script.chmod(0o755)
    return str(script)


# --- add with flags ------------------------------------------------------------------------------------


def test_add_with_flags_writes_the_deck_and_syncs(mine: Path) -> None:
    result = runner.invoke(
        app,
        ["add", "--deck", "my/notes", "-q", "What does NMS do?", "-a", "Drops overlapping boxes.",
         "--tag", "detection", "--tag", "nms", "--source", "https://arxiv.org/abs/1704.04503"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Added my/notes/nms-")
    text = mine.read_text(encoding="utf-8")
    assert text.startswith(MINE)
    card = load_deck(mine).cards[-1]
    assert card.tags == ("detection", "nms") and card.source == "https://arxiv.org/abs/1704.04503"
    # The collection knows the new card at once: it is new, so the next drill shows it.
    decks = json.loads(runner.invoke(app, ["decks", "--json"]).stdout)
    assert next(d for d in decks if d["id"] == "my/notes")["new"] == 2
    shown = json.loads(runner.invoke(app, ["show", f"my/notes/{card.id}", "--json"]).stdout)
    assert shown["schedule"][0]["state"] == 0 and not shown["schedule"][0]["suspended"]


def test_add_reads_the_answer_from_stdin_and_creates_a_deck(user_decks: Path) -> None:
    result = runner.invoke(
        app,
        [
            "add",
            "-d",
            "my/new",
            "-q",
            "交叉熵对 logits 的梯度？",
            "-a",
            "-",
            "--lang",
            "zh",
            "--json",
        ],
        input="softmax(z) - y\n（y 为 one-hot）\n",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["created"] and data["added"][0]["id"].startswith("logits-")
    deck = load_deck(user_decks / "my" / "new.yaml")
    answer = deck.cards[0].answer
    assert (
        answer is not None and answer.zh == "softmax(z) - y\n（y 为 one-hot）" and answer.en is None
    )


def test_add_compute_card(mine: Path) -> None:
    result = runner.invoke(
        app,
        ["add", "--deck", "my/notes", "--type", "compute", "--generator", "conv2d_output_shape",
         "--param", "stride=1,2"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    card = load_deck(mine).cards[-1]
    assert card.generator == "conv2d_output_shape" and card.params == {"stride": [1, 2]}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-q", "  ", "-a", "x"], "the question is empty"),
        (["-q", "q", "-a", "x", "--type", "flash"], "unknown card type 'flash'"),
        (["-q", "q", "-a", "x", "--type", "code"], "write it in a deck file (docs/deck-format.md)"),
        (["--type", "compute", "--generator", "conv_shape"], "unknown generator 'conv_shape'"),
        (["--generator", "conv2d_output_shape", "--param", "stride=99"], "not allowed"),
        (["-q", "what is iou?", "-a", "x"], "already has this question (card 'iou')"),
        (["-q", "q", "-a", "x", "--tag", "two words"], "bad tag"),
    ],
)
def test_bad_input_is_one_line_and_exit_1_and_no_change(
    mine: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["add", "--deck", "my/notes", *args])
    assert result.exit_code == 1, result.output
    assert message in one_error_line(result.stderr)
    assert mine.read_text(encoding="utf-8") == MINE


def test_deck_file_that_does_not_parse_is_left_alone(mine: Path) -> None:
    broken = MINE + "  - id: x\n    question: [\n"
    mine.write_text(broken, encoding="utf-8")
    result = runner.invoke(app, ["add", "--deck", "my/notes", "-q", "q", "-a", "a"])
    assert result.exit_code == 1
    assert "notes.yaml" in one_error_line(result.stderr)
    assert mine.read_text(encoding="utf-8") == broken


def test_adding_to_a_bundled_deck_is_refused_with_a_hint(user_decks: Path) -> None:
    result = runner.invoke(app, ["add", "--deck", "losses", "-q", "q", "-a", "a"])
    assert result.exit_code == 1
    line = one_error_line(result.stderr)
    assert "bundled decks are replaced on upgrade" in line and "--deck my/losses" in line
    assert not list(user_decks.rglob("*.yaml"))


def test_add_without_a_deck_is_a_usage_error(user_decks: Path) -> None:
    result = runner.invoke(app, ["add", "-q", "q", "-a", "a"])
    assert result.exit_code == 2
    assert "--deck" in one_error_line(result.stderr)


# --- interactive ---------------------------------------------------------------------------------------


def test_interactive_add_prompts_previews_and_confirms(mine: Path) -> None:
    typed = "\n".join(
        [
            "1",  # deck: the first of "Your decks"
            "reversed",  # type
            "Sigmoid",  # question, then an empty line
            "",
            "$\\sigma(x) = 1/(1+e^{-x})$",  # answer: two lines, then an empty line
            "squashes to (0, 1)",
            "",
            "activations formula",  # tags
            "y",  # confirm
            "",
        ]
    )
    result = runner.invoke(app, ["add"], input=typed)
    assert result.exit_code == 0, result.output
    assert "my/notes" in result.stderr and "Add this card?" in result.stderr
    assert "σ(x)" in result.stderr  # the preview renders the math
    card = load_deck(mine).cards[-1]
    assert card.type.value == "reversed" and card.tags == ("activations", "formula")
    assert (
        card.answer is not None
        and card.answer.en == "$\\sigma(x) = 1/(1+e^{-x})$\nsquashes to (0, 1)"
    )


def test_interactive_add_creates_a_deck_on_request_and_can_be_declined(user_decks: Path) -> None:
    typed = "my/fresh\ny\n\nWhat is a stride?\n\nThe step.\n\n\nn\n"
    result = runner.invoke(app, ["add"], input=typed)
    assert result.exit_code == 1
    assert "Cancelled" in result.stderr
    assert not (user_decks / "my" / "fresh.yaml").exists()
    result = runner.invoke(app, ["add"], input=typed.replace("\nn\n", "\ny\n"))
    assert result.exit_code == 0, result.output
    assert load_deck(user_decks / "my" / "fresh.yaml").cards[0].question.en == "What is a stride?"


# --- the editor ----------------------------------------------------------------------------------------


def test_editor_flow_reopens_with_the_error_until_the_card_is_valid(
    mine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, terminal: None
) -> None:
    log = tmp_path / "rounds.txt"
    editor = fake_editor(
        tmp_path,
        f"""
        import sys
        path = sys.argv[-1]
        text = open(path, encoding="utf-8").read()
        with open({str(log)!r}, "a", encoding="utf-8") as log:
            log.write(text + "\\n=====\\n")
        if "# ERROR:" not in text:
            text = text.replace("question:", "question: Why 1x1 convolutions?")  # no answer yet
        else:
            text = text.replace("answer:", "answer: |\\n  Mix channels\\n  cheaply.")
        open(path, "w", encoding="utf-8").write(text)
        """,
    )
    monkeypatch.setenv("EDITOR", editor)
    result = runner.invoke(app, ["add", "-e", "--deck", "my/notes", "--tag", "conv"])
    assert result.exit_code == 0, result.output
    rounds = log.read_text(encoding="utf-8").split("\n=====\n")[:-1]
    assert len(rounds) == 2
    assert "deck: my/notes" in rounds[0] and "tags: [conv]" in rounds[0]
    assert (
        rounds[1].startswith("# ERROR: ") and "missing field 'answer'" in rounds[1].splitlines()[0]
    )
    card = load_deck(mine).cards[-1]
    assert card.question.en == "Why 1x1 convolutions?" and card.tags == ("conv",)
    assert card.answer is not None and card.answer.en == "Mix channels\ncheaply.\n"
    assert mine.read_text(encoding="utf-8").startswith(MINE)


def test_editor_empty_file_cancels(
    mine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, terminal: None
) -> None:
    editor = fake_editor(tmp_path, "import sys\nopen(sys.argv[-1], 'w').write('# nothing\\n')\n")
    monkeypatch.setenv("VISUAL", editor)
    result = runner.invoke(app, ["add", "--editor", "--deck", "my/notes"])
    assert result.exit_code == 1
    assert "Cancelled" in result.stderr
    assert mine.read_text(encoding="utf-8") == MINE


def test_editor_saving_an_unchanged_bad_card_gives_up(
    mine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, terminal: None
) -> None:
    editor = fake_editor(tmp_path, "pass\n")  # quits without saving anything
    monkeypatch.setenv("EDITOR", editor)
    result = runner.invoke(app, ["add", "-e", "--deck", "my/notes"])
    assert result.exit_code == 1
    assert "not changed" in one_error_line(result.stderr)
    assert mine.read_text(encoding="utf-8") == MINE


EDITORS_THAT_BREAK_THE_FILE = {
    "removed": ("os.remove(path)", "the edited file was removed; nothing was written"),
    "a folder": (
        "os.remove(path); os.mkdir(path)",
        "the edited file was replaced by a folder; nothing was written",
    ),
    "not UTF-8": (
        "open(path, 'wb').write(b'\\xff\\xfe')",
        "the edited file is not UTF-8 text (invalid start byte at byte 0); nothing was written",
    ),
}


@pytest.mark.parametrize("argv", [["edit", "my/notes/iou"], ["add", "-e", "--deck", "my/notes"]])
@pytest.mark.parametrize("fault", sorted(EDITORS_THAT_BREAK_THE_FILE))
def test_an_editor_that_removes_or_replaces_the_file_is_one_error_line(
    mine: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    terminal: None,
    argv: list[str],
    fault: str,
) -> None:
    action, message = EDITORS_THAT_BREAK_THE_FILE[fault]
    editor = fake_editor(tmp_path, f"import os, sys\npath = sys.argv[-1]\n{action}\n")
    monkeypatch.setenv("EDITOR", editor)
    result = runner.invoke(app, argv)
    assert result.exit_code == 1, result.output
    assert one_error_line(result.stderr) == f"Error: {message}"
    assert mine.read_text(encoding="utf-8") == MINE


# --- show, search, edit, suspend, forget -----------------------------------------------------------------


def test_show_search_suspend_forget(mine: Path) -> None:
    result = runner.invoke(app, ["show", "my/notes/iou"])
    assert result.exit_code == 0, result.output
    assert "Intersection over union." in result.stdout
    assert f"{mine}:6" in result.stdout.replace("\n", "")
    assert "new" in result.stdout and "No reviews yet." in result.stdout

    result = runner.invoke(app, ["search", "intersection", "--deck", "my", "--json"])
    assert [h["ref"] for h in json.loads(result.stdout)] == ["my/notes/iou"]
    result = runner.invoke(app, ["search", "交叉熵"])
    assert result.exit_code == 0 and "losses/" in result.stdout  # bundled Chinese text is found

    result = runner.invoke(app, ["suspend", "my/notes/i"])
    assert result.exit_code == 0 and "Suspended 1 review card of my/notes/iou." in result.stdout
    assert json.loads(runner.invoke(app, ["show", "my/notes/iou", "--json"]).stdout)["schedule"][0][
        "suspended"
    ]
    assert runner.invoke(app, ["unsuspend", "my/notes/iou"]).exit_code == 0
    result = runner.invoke(app, ["forget", "my/notes/iou", "--json"])
    assert json.loads(result.stdout) == {
        "action": "forget",
        "cards": ["my/notes/iou"],
        "review_cards": 0,  # never studied: nothing to reset
        "change_id": None,
    }


def test_ambiguous_and_unknown_references(mine: Path) -> None:
    result = runner.invoke(app, ["show", "nothing-like-this"])
    assert result.exit_code == 1 and "no card matches" in one_error_line(result.stderr)
    # "c" names no one card (many bundled ids start with c), so it is a search, which needs a yes
    result = runner.invoke(app, ["suspend", "c"])
    assert result.exit_code == 2 and "add --yes" in one_error_line(result.stderr)


def test_edit_opens_the_editor_at_the_cards_line(
    mine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, terminal: None
) -> None:
    argv_file = tmp_path / "argv.json"
    editor = fake_editor(
        tmp_path,
        f"""
        import json, sys
        json.dump(sys.argv[1:], open({str(argv_file)!r}, "w"))
        path = sys.argv[-1]
        text = open(path, encoding="utf-8").read()
        open(path, "w", encoding="utf-8").write(text.replace("Intersection over union.", "Overlap / union."))
        """,
    )
    monkeypatch.setenv("EDITOR", editor)
    result = runner.invoke(app, ["edit", "my/notes/iou"])
    assert result.exit_code == 0, result.output
    line, opened = json.loads(argv_file.read_text())
    assert (
        line == "+6" and Path(opened).name == "notes.yaml"
    )  # a copy: the deck changes once it loads
    assert Path(opened) != mine and not Path(opened).exists()
    shown = json.loads(runner.invoke(app, ["show", "my/notes/iou", "--json"]).stdout)
    assert shown["content"]["answer"] == {"zh": "Overlap / union.", "en": "Overlap / union."}
    result = runner.invoke(app, ["edit", "losses/"])
    assert result.exit_code == 1  # ambiguous, or bundled: either way nothing is opened


def test_edit_reopens_until_the_deck_loads_and_never_leaves_it_broken(
    mine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, terminal: None
) -> None:
    log = tmp_path / "rounds.txt"
    editor = fake_editor(
        tmp_path,
        f"""
        import sys
        path, deck = sys.argv[-1], {str(mine)!r}
        text = open(path, encoding="utf-8").read()
        with open({str(log)!r}, "a", encoding="utf-8") as log:
            log.write(sys.argv[-2] + "\\n" + open(deck, encoding="utf-8").read() + "\\n=====\\n")
        if "# ERROR:" not in text:
            text = text.replace("answer: Intersection over union.", "anwser: Overlap.")  # a typo
        else:
            text = text.replace("anwser: Overlap.", "answer: Overlap.")
        open(path, "w", encoding="utf-8").write(text)
        """,
    )
    monkeypatch.setenv("EDITOR", editor)
    result = runner.invoke(app, ["edit", "my/notes/iou"])
    assert result.exit_code == 0, result.output
    rounds = log.read_text(encoding="utf-8").split("\n=====\n")[:-1]
    assert len(rounds) == 2
    # At the card, then at the first problem (line 6, two error lines above it).
    assert rounds[0].startswith("+6\n") and rounds[1].startswith("+8\n")
    # The deck is untouched while it is edited.
    assert all(r.split("\n", 1)[1] == MINE for r in rounds)
    assert "answer: Overlap." in mine.read_text(encoding="utf-8")
    shown = json.loads(runner.invoke(app, ["show", "my/notes/iou", "--json"]).stdout)
    assert shown["content"]["answer"] == {"zh": "Overlap.", "en": "Overlap."}


def test_edit_saved_broken_and_unchanged_gives_up_and_keeps_the_deck(
    mine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, terminal: None
) -> None:
    editor = fake_editor(
        tmp_path,
        """
        import sys
        path = sys.argv[-1]
        text = open(path, encoding="utf-8").read()
        if "# ERROR:" not in text:
            open(path, "w", encoding="utf-8").write(text.replace("question:", "qestion:"))
        """,
    )
    monkeypatch.setenv("EDITOR", editor)
    result = runner.invoke(app, ["edit", "my/notes/iou"])
    assert result.exit_code == 1
    line = one_error_line(result.stderr)
    assert "not changed; nothing was written" in line and "missing field 'question'" in line
    assert mine.read_text(encoding="utf-8") == MINE


@pytest.mark.skipif(shutil.which("cvquiz") is None, reason="cvquiz is not installed on PATH")
@pytest.mark.parametrize("argv", [["edit", "my/notes/iou"], ["add", "-e", "--deck", "my/notes"]])
def test_the_editor_needs_a_terminal(mine: Path, tmp_path: Path, argv: list[str]) -> None:
    editor = fake_editor(tmp_path, "raise SystemExit('the editor must not be started')\n")
    env = {**os.environ, "EDITOR": editor}
    done = subprocess.run(
        ["cvquiz", *argv],
        stdin=subprocess.DEVNULL,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    line = one_error_line(done.stderr)
    assert "needs a terminal" in line and "editor must not" not in done.stderr
    assert mine.read_text(encoding="utf-8") == MINE


@pytest.mark.skipif(shutil.which("cvquiz") is None, reason="cvquiz is not installed on PATH")
def test_edit_in_a_real_terminal(mine: Path, tmp_path: Path) -> None:
    import pexpect

    editor = fake_editor(
        tmp_path,
        """
        import sys
        path = sys.argv[-1]
        text = open(path, encoding="utf-8").read()
        open(path, "w", encoding="utf-8").write(text.replace("What is IoU?", "What is GIoU?"))
        """,
    )
    env = {**os.environ, "EDITOR": editor, "TERM": "xterm"}
    child = pexpect.spawn(
        "cvquiz",
        ["edit", "my/notes/iou"],
        env=env,
        encoding="utf-8",
        dimensions=(24, 80),
        timeout=60,
    )
    child.expect("Saved and synced")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "What is GIoU?" in mine.read_text(encoding="utf-8")


# --- import --------------------------------------------------------------------------------------------

ANKI = (
    "#separator:tab\n"
    "#html:true\n"
    "#guid column:1\n"
    "#notetype column:2\n"
    "#deck column:3\n"
    "#tags column:6\n"
    "Ab1\tBasic\tInterview\tWhat is <b>mAP</b>?\tMean of per-class AP<br>over IoU thresholds\tdetection\n"
    "Cd2\tBasic (and reversed card)\tInterview\tSoftmax\t\\(e^{z_i} / \\sum_j e^{z_j}\\)\tactivations\n"
    "Ef3\tCloze\tInterview\tTwo 3x3 convs see {{c1::5x5}}\t\tconv\n"
)


def test_import_anki_export_twice_adds_nothing_the_second_time(
    user_decks: Path, tmp_path: Path
) -> None:
    source = tmp_path / "Interview.txt"
    source.write_text(ANKI, encoding="utf-8")
    dry = runner.invoke(app, ["import", str(source), "--deck", "my/anki", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.count("would add my/anki/") == 3
    assert not (user_decks / "my" / "anki.yaml").exists()
    first = runner.invoke(app, ["import", str(source), "--deck", "my/anki", "--json"])
    assert first.exit_code == 0, first.output
    data = json.loads(first.stdout)
    assert len(data["added"]) == 3 and data["skipped"] == 0 and data["format"] == "anki"
    deck = load_deck(user_decks / "my" / "anki.yaml")
    assert [c.type.value for c in deck.cards] == ["basic", "reversed", "cloze"]
    assert (
        deck.cards[1].answer is not None
        and deck.cards[1].answer.en == "$e^{z_i} / \\sum_j e^{z_j}$"
    )
    before = (user_decks / "my" / "anki.yaml").read_bytes()
    second = runner.invoke(app, ["import", "anki", str(source), "--deck", "my/anki", "--json"])
    assert json.loads(second.stdout)["added"] == [] and json.loads(second.stdout)["skipped"] == 3
    assert (user_decks / "my" / "anki.yaml").read_bytes() == before
    decks = json.loads(runner.invoke(app, ["decks", "--json"]).stdout)
    mine = next(d for d in decks if d["id"] == "my/anki")
    assert (mine["cards"], mine["study_cards"]) == (3, 4)  # reversed makes two study cards


def test_import_csv_and_malformed_rows(user_decks: Path, tmp_path: Path) -> None:
    source = tmp_path / "notes.csv"
    source.write_text("question,answer,tags\nq1,a1,x\n,missing question,\nq3,a3,\n", "utf-8")
    result = runner.invoke(app, ["import", str(source), "--deck", "my/csv"])
    assert result.exit_code == 1
    assert f"{source}:3: the question is empty" in result.stderr
    assert not (user_decks / "my" / "csv.yaml").exists()
    result = runner.invoke(app, ["import", str(source), "--deck", "my/csv", "--skip-bad"])
    assert result.exit_code == 0, result.output
    assert "Skipped" in result.stderr and "Added 2 cards to my/csv" in result.stderr
    assert len(load_deck(user_decks / "my" / "csv.yaml").cards) == 2


def test_big_import_with_progress(user_decks: Path, tmp_path: Path) -> None:
    source = tmp_path / "big.csv"
    rows = "".join(f"Question number {i}?,Answer {i},bulk\n" for i in range(400))
    source.write_text("question,answer,tags\n" + rows, encoding="utf-8")
    result = runner.invoke(app, ["import", str(source), "--deck", "my/big", "--json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["added"]) == 400
    assert len(load_deck(user_decks / "my" / "big.yaml").cards) == 400


def test_import_json_restores_a_backup(mine: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["suspend", "my/notes/iou"]).exit_code == 0
    backup = tmp_path / "backup.json"
    assert runner.invoke(app, ["export", "json", str(backup)]).exit_code == 0
    for argv in (["import", str(backup)], ["import", "json", str(backup)]):
        target = tmp_path / f"restored-{len(argv)}.sqlite"
        result = runner.invoke(app, ["--collection", str(target), *argv])
        assert result.exit_code == 0, result.output
        assert "Restored" in result.stderr
        shown = runner.invoke(app, ["--collection", str(target), "show", "my/notes/iou", "--json"])
        assert json.loads(shown.stdout)["schedule"][0]["suspended"]


def test_import_errors(user_decks: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", str(tmp_path / "missing.txt"), "--deck", "my/x"])
    assert result.exit_code == 1 and "cannot read" in one_error_line(result.stderr)
    result = runner.invoke(app, ["import", "xls", "f.xls"])
    assert result.exit_code == 2 and "unknown kind" in one_error_line(result.stderr)


# --- the installed command -----------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("cvquiz") is None, reason="cvquiz is not installed on PATH")
def test_installed_add_and_show(mine: Path) -> None:
    env = dict(os.environ)
    done = subprocess.run(
        ["cvquiz", "add", "--deck", "my/notes", "-q", "What is a stride?", "-a", "-", "--json"],
        input="How far the kernel moves.\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    ref = json.loads(done.stdout)["added"][0]["ref"]
    shown = subprocess.run(
        ["cvquiz", "show", ref, "--json"], env=env, capture_output=True, text=True, timeout=60
    )
    answer = json.loads(shown.stdout)["content"]["answer"]  # bilingual text is always {zh, en}
    assert answer == {"zh": "How far the kernel moves.", "en": "How far the kernel moves."}
    again = subprocess.run(
        ["cvquiz", "add", "--deck", "my/notes", "-q", "What is a stride?", "-a", "x"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 1
    assert again.stderr.startswith("Error: ") and "Traceback" not in again.stderr


@pytest.mark.skipif(shutil.which("cvquiz") is None, reason="cvquiz is not installed on PATH")
@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ["-q", "What is a stride?", "-a", "-"],
            b"\xff\xfe",
            "--answer -: standard input is not UTF-8 text (invalid start byte at byte 0)",
        ),
        (
            ["-q", b"What is a \xff?", "-a", "x"],
            b"",
            "the question is not UTF-8 text (is the terminal set to another encoding?)",
        ),
    ],
)
def test_add_refuses_input_that_is_not_utf8_naming_it(
    mine: Path, args: list[str | bytes], stdin: bytes, message: str
) -> None:
    done = subprocess.run(
        [b"cvquiz", b"add", b"--deck", b"my/notes", *(os.fsencode(a) for a in args)],
        input=stdin,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert one_error_line(done.stderr.decode("utf-8")) == f"Error: {message}"
    assert mine.read_text(encoding="utf-8") == MINE


# --- in Chinese ----------------------------------------------------------------------------------------------

DATA = set(re.findall(r"[A-Za-z]+", MINE)) | {"basic", "cloze", "reversed", "compute", "code"}
"""The words of the user's deck (data, shown as written) and the card types (ids of the deck format)."""


def chinese(*args: str, input: str | None = None, code: int = 0) -> str:
    """Run a command with --lang zh at 80 columns; return stdout and stderr, checked to hold no English."""
    result = runner.invoke(app, ["--lang", "zh", *args], input=input)
    assert result.exit_code == code, result.output
    text = result.stdout + result.stderr
    assert english_words(text, allow=DATA) == [], text
    # lines fit 80 columns, but for the paths of the test's temporary folder (printed whole, unwrapped)
    short = text.replace(str(Path(os.environ["CVQUIZ_DECKS"]).parent.parent), "~")
    assert all(cell_len(line) <= 80 for line in short.splitlines()), text
    return text


def test_show_search_suspend_and_forget_speak_chinese(mine: Path) -> None:
    text = chinese("show", "my/notes/iou")
    for expected in (
        "问题",
        "答案",
        "标签：detection",
        "文件",
        "调度",
        "状态",
        "新",
        "还没有复习记录。",
    ):
        assert expected in text
    assert "已暂停 1 张复习卡（my/notes/iou）" in chinese("suspend", "my/notes/iou")
    assert "取消暂停" in chinese("unsuspend", "my/notes/iou")
    assert "新卡" in chinese("forget", "my/notes/iou")
    assert "没有匹配的卡片。" in chinese("search", "zzzz-nothing")
    assert "1 张卡" in chinese("search", "intersection", "--deck", "my")


def test_show_speaks_chinese_after_reviews(mine: Path) -> None:
    from cvquiz.collection import Collection
    from cvquiz.config import Settings
    from cvquiz.model import Rating
    from cvquiz.review_policy import record_review

    runner.invoke(app, ["decks"])
    with Collection.open(Path(os.environ["CVQUIZ_COLLECTION"])) as col:
        (pk,) = col.conn.execute("SELECT pk FROM cards WHERE deck_id = 'my/notes'").fetchone()
        now = datetime.fromisoformat(os.environ["CVQUIZ_NOW"])
        for days, rating in ((3, Rating.GOOD), (2, Rating.GOOD), (1, Rating.AGAIN)):
            record_review(col, pk, rating, now - timedelta(days=days), Settings(fuzz=False))
    text = chinese("show", "my/notes/iou")
    assert "复习记录" in text and "良好" in text and "重来" in text and "学习中 → 复习" in text
    english = runner.invoke(app, ["show", "my/notes/iou"], env={"COLUMNS": "80"}).stdout
    assert "Review history" in english and "Good" in english and "learning → review" in english
    # at 80 columns every heading is whole and the due time stays on its line
    assert all(w in english for w in ("stability", "difficulty", "lapses", "flags"))
    assert "…" not in english and re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", english)
    assert "天" in text and "秒" not in text.split("复习记录")[0]  # stability in days, in Chinese


def test_add_and_import_speak_chinese(mine: Path, tmp_path: Path) -> None:
    text = chinese("add", "--deck", "my/new", "-q", "Why 1x1 conv?", "-a", "Channel mixing.")
    assert "创建牌组 my/new" in text and "已添加 my/new/" in text
    source = tmp_path / "notes.csv"
    source.write_text("question,answer,tags\nq1,a1,x\n", "utf-8")
    text = chinese("import", str(source), "--deck", "my/csv", "--dry-run")
    assert "将添加 my/csv/" in text and "将向 my/csv" in text
    assert "添加 1 张卡片；0 张已存在" in chinese("import", str(source), "--deck", "my/csv")
    assert "添加 0 张卡片；1 张已存在" in chinese("import", str(source), "--deck", "my/csv")
    source.write_text("question,answer,tags\n,no question,\nq2,a2,\n", "utf-8")
    text = chinese("import", str(source), "--deck", "my/csv", "--skip-bad")
    assert "已略过" in text and ":2: 问题为空" in text
    backup = tmp_path / "backup.json"
    assert runner.invoke(app, ["export", "json", str(backup)]).exit_code == 0
    runner.invoke(app, ["suspend", "my/csv/q2", "--yes"])
    result = runner.invoke(app, ["--lang", "zh", "import", str(backup)])
    assert result.exit_code != 0 and "不是空的" in result.stderr
    assert (
        english_words(result.stderr, allow={"restored", "sqlite", "json", "import", "FILE"}) == []
    )


def test_refused_add_import_and_restore_speak_chinese(mine: Path, tmp_path: Path) -> None:
    def refused(*args: str, allow: frozenset[str] = frozenset()) -> str:
        result = runner.invoke(app, ["--lang", "zh", *args])
        assert result.exit_code != 0 and "Traceback" not in result.output, result.output
        assert english_words(result.stderr, allow=DATA | allow) == [], result.stderr
        return result.stderr

    compute = ("add", "--deck", "my/new", "--type", "compute", "--generator", "conv2d_output_shape")
    text = refused(*compute, "--param", "kernel=abc", allow=frozenset({"abc"}))
    assert "params.kernel：不允许 'abc'（允许：1, 3, 5, 7, 11）" in text
    text = refused(*compute, "--param", "kernl=3", allow=frozenset({"kernl", "kernel"}))
    assert "没有参数 'kernl'（是不是 'kernel'？）" in text
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("question,answer\ncafé,x\n".encode("latin-1"))
    assert "不是 UTF-8 文本（第 19 字节：无效的后续字节）" in refused(
        "import", str(latin1), "--deck", "my/csv"
    )
    assert "无法读取：没有这个文件或文件夹" in refused(
        "import", str(tmp_path / "absent.csv"), "--deck", "my/csv"
    )
    quote = tmp_path / "quote.csv"
    quote.write_text('question,answer\n"q1,a1\n', "utf-8")
    assert "无法读取这条记录：数据意外结束" in refused("import", str(quote), "--deck", "my/csv")
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "cvquiz-collection",\n "version" 1}\n', "utf-8")
    assert "broken.json:2:12: 不是有效的 JSON：此处应有 ':'" in refused(
        "import", "json", str(broken)
    )
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"not a database, not even close" * 10)
    text = refused("restore", str(garbage), "--yes", allow=frozenset({"cvquiz"}))
    assert "不是 cvquiz 记录库（不是 SQLite 数据库）" in text
    # in English, what Python said about the same inputs
    english = runner.invoke(app, ["import", str(latin1), "--deck", "my/csv"]).stderr
    assert "invalid continuation byte at byte 19" in english
    english = runner.invoke(app, ["import", "json", str(broken)]).stderr
    assert "broken.json:2:12: not valid JSON: Expecting ':' delimiter" in english


def test_interactive_add_speaks_chinese(mine: Path) -> None:
    typed = "1\nbasic\nWhat is NMS?\n\nDrops overlapping boxes.\n\nnms\nn\n"
    result = runner.invoke(app, ["--lang", "zh", "add"], input=typed)
    assert result.exit_code == 1
    text = result.stderr
    assert (
        english_words(text, allow=DATA | {"What", "NMS", "nms", "Drops", "overlapping", "boxes"})
        == []
    )
    for expected in (
        "你的牌组：",
        "牌组（编号",
        "类型（",
        "问题",
        "以空行或 Ctrl-D 结束",
        "添加这张卡片吗？",
    ):
        assert expected in text
    assert "已取消；没有写入任何内容。" in text
