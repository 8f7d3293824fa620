"""The cases of the reliability review that ended in a traceback, each through the installed ``cvquiz``.

Each must end in one clear line (the file, line and column, or the card, or the setting), a non-zero exit where
the command failed, and nothing lost or changed.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest

from tests._faults import cvquiz_command, run, unprivileged

PARAMS_DECK = """\
deck: mine
name: Mine
cards:
  - id: params
    type: compute
    generator: conv_params
    params: {in_channels: [3], out_channels: [8], kernel: [3], groups: [1], bias: [true]}
"""
# 3 * 8 * 3 * 3 + 8 = 224 parameters.


def error_lines(stderr: str) -> list[str]:
    assert "Traceback" not in stderr, stderr
    return [line for line in stderr.splitlines() if line.strip()]


def reviews(collection: Path) -> list[tuple[str, int]]:
    with closing(sqlite3.connect(collection)) as conn:
        return conn.execute("SELECT answer, correct FROM reviews ORDER BY id").fetchall()


# --- item 5: answers the parser accepts are judged or refused ------------------------------------------------


def test_huge_integer_answers_are_refused_and_the_drill_goes_on(
    user_decks: Path, cvquiz_env: dict[str, str]
) -> None:
    (user_decks / "mine.yaml").write_text(PARAMS_DECK, encoding="utf-8")
    typed = ["1e9999", "1 x 10^4400", "9" * 5000, "7" * 1_000_000, "224", "3"]
    done = run(
        [cvquiz_command(), "drill", "--deck", "mine", "--json"], stdin="\n".join(typed) + "\n"
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    # an answer that cannot be read is an "unreadable" event (docs/scripting.md), asked again
    notices = [e["message"] for e in events if e["event"] == "unreadable"]
    assert len(notices) == 4 and all("could not read" in n for n in notices), notices
    assert "the number is too large" in notices[0] and "the number is too large" in notices[1]
    assert "longer than 10000 characters" in notices[3]
    assert [e["event"] for e in events].count("rated") == 1
    assert reviews(Path(cvquiz_env["CVQUIZ_COLLECTION"])) == [("224", 1)]


# --- item 10: private-use characters in card text ----------------------------------------------------------


PUA_DECK = """\
deck: mine
name: Mine
cards:
  - id: pua
    question: "Private use: \\ue000 0 \\ue001, \\ue0001\\ue001 and $x^2$"
    answer: "$\\\\frac{1}{2}$ then \\ue001\\ue000"
"""


@pytest.mark.parametrize("kind", ["anki", "text"])
def test_private_use_characters_and_formulas_export(
    kind: str, user_decks: Path, tmp_path: Path
) -> None:
    (user_decks / "mine.yaml").write_text(PUA_DECK, encoding="utf-8")
    out = tmp_path / f"out.{kind}"
    done = run([cvquiz_command(), "export", kind, "--deck", "mine", "-o", str(out)])
    assert done.returncode == 0, done.stderr
    assert error_lines(done.stderr)[0].startswith("Wrote")
    if kind == "text":
        text = out.read_text(encoding="utf-8")
        assert (
            "\ue0001\ue001 and \\(x^2\\)" in text and "\\(\\frac{1}{2}\\) then \ue001\ue000" in text
        )


# --- item 9: import json validates every field and imports nothing on the first bad value ---------------------


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("schedule.stability", "-2.5", "must be > 0"),
        ("schedule.stability", "NaN", "must be a finite number"),
        ("schedule.reps", "1" + "0" * 30, "must be a whole number from 0 to 2147483647"),
        ("schedule.stability", "Infinity", "must be a finite number"),
        ("schedule.due_day", '"someday"', "must be a date (YYYY-MM-DD) between 1970 and 9999"),
        ("schedule.due_day", '"9999-99-99"', "must be a date (YYYY-MM-DD) between 1970 and 9999"),
    ],
)
def test_a_crafted_json_backup_is_refused_at_its_first_bad_value(
    user_decks: Path,
    cvquiz_env: dict[str, str],
    tmp_path: Path,
    path: str,
    value: str,
    message: str,
) -> None:
    (user_decks / "mine.yaml").write_text(PARAMS_DECK, encoding="utf-8")
    backup = tmp_path / "backup.json"
    assert run([cvquiz_command(), "decks"]).returncode == 0  # export json does not sync: sync first
    done = run([cvquiz_command(), "export", "json", "-o", str(backup)])
    assert done.returncode == 0, done.stderr
    data = json.loads(backup.read_text(encoding="utf-8"))
    index = next(i for i, c in enumerate(data["cards"]) if c["card_id"] == "params")
    *parents, last = path.split(".")
    node = data["cards"][index]
    for key in parents:
        node = node[key]
    node[last] = "@@"
    crafted = tmp_path / "crafted.json"
    crafted.write_text(json.dumps(data).replace('"@@"', value), encoding="utf-8")
    fresh = {"CVQUIZ_COLLECTION": str(tmp_path / "fresh.sqlite")}
    done = run([cvquiz_command(), "import", "json", str(crafted)], env=fresh)
    assert done.returncode == 1
    assert error_lines(done.stderr) == [
        f"Error: {crafted}: cards[{index}].{path}: {message}; nothing was imported"
    ]
    # the collection this refused restore created is gone, not left behind empty
    assert sorted(p.name for p in tmp_path.glob("fresh.sqlite*")) == []


def test_a_json_backup_nested_100000_deep_is_one_line(tmp_path: Path) -> None:
    crafted = tmp_path / "deep.json"
    crafted.write_text(
        '{"format": "cvquiz-backup", "cards": ' + "[" * 100_000 + "]" * 100_000 + "}"
    )
    done = run([cvquiz_command(), "import", "json", str(crafted)])
    assert done.returncode == 1
    assert error_lines(done.stderr) == [f"Error: {crafted}: not valid JSON: nested too deeply"]


# --- item 11: settings and CVQUIZ_NOW --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "2000000d",
            "learning_steps: step 2000000d is longer than the maximum interval (36500 days)",
        ),
        (
            "1m 36501d",
            "learning_steps: step 36501d is longer than the maximum interval (36500 days)",
        ),
        (" ".join(["1m"] * 21), "learning_steps: 21 steps are too many; give at most 20"),
    ],
)
def test_a_learning_step_beyond_the_maximum_interval_is_refused(
    cvquiz_env: dict[str, str], value: str, message: str
) -> None:
    done = run([cvquiz_command(), "config", "set", "learning_steps", value])
    assert done.returncode == 2
    assert error_lines(done.stderr) == [f"Error: {message}"]
    assert not Path(cvquiz_env["CVQUIZ_CONFIG"]).exists()


def test_steps_and_the_maximum_interval_are_checked_together(cvquiz_env: dict[str, str]) -> None:
    assert run([cvquiz_command(), "config", "set", "relearning_steps", "10m 60d"]).returncode == 0
    before = Path(cvquiz_env["CVQUIZ_CONFIG"]).read_bytes()
    done = run([cvquiz_command(), "config", "set", "maximum_interval", "30"])
    assert done.returncode == 2
    assert error_lines(done.stderr) == [
        "Error: relearning_steps: step 60d is longer than the maximum interval (30 days)"
    ]
    assert Path(cvquiz_env["CVQUIZ_CONFIG"]).read_bytes() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "new_per_day = 5  # café\n".encode("latin-1"),
            "the settings file is not UTF-8 text (byte 22); save it as UTF-8",
        ),
        (
            "new_per_day = 5\n".encode("utf-16"),
            "the settings file is UTF-16 text; save it as UTF-8",
        ),
        (
            b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)),
            "the settings file is binary, not TOML text",
        ),
        (b'new_per_day = 5\nlang = "zh\n', "2:11: not valid TOML: Illegal character '\\n'"),
        (
            b'learning_steps = "1m 99999d"\n',
            "learning_steps: step 99999d is longer than the maximum interval (36500 days)",
        ),
    ],
)
def test_a_bad_settings_file_is_named(
    cvquiz_env: dict[str, str], content: bytes, message: str
) -> None:
    config = Path(cvquiz_env["CVQUIZ_CONFIG"])
    config.parent.mkdir(parents=True)
    config.write_bytes(content)
    done = run([cvquiz_command(), "status"])
    assert done.returncode == 2
    (line,) = error_lines(done.stderr)
    assert line.startswith(f"Error: {config}") and line.endswith(message), line


def test_a_settings_folder_is_named(cvquiz_env: dict[str, str]) -> None:
    config = Path(cvquiz_env["CVQUIZ_CONFIG"])
    config.mkdir(parents=True)
    for command in (["status"], ["config", "set", "new_per_day", "5"]):
        done = run([cvquiz_command(), *command])
        assert done.returncode == 2
        assert error_lines(done.stderr) == [
            f"Error: {config}: cannot read the settings: it is a folder"
        ]


@pytest.mark.parametrize(
    "value", ["9999-12-31T00:00:00+00:00", "0001-01-01T00:00:00", "1969-07-20T20:17:00Z"]
)
def test_cvquiz_now_out_of_range_is_one_line(value: str) -> None:
    done = run([cvquiz_command(), "status"], env={"CVQUIZ_NOW": value})
    assert done.returncode == 2
    assert error_lines(done.stderr) == [
        f"Error: CVQUIZ_NOW: {value!r} is out of range; give a time from 1970 to 9899"
    ]


# --- item 14: messages that say exactly what is wrong and where ---------------------------------------------


def test_a_bad_per_deck_limit_names_the_file_and_the_key(cvquiz_env: dict[str, str]) -> None:
    config = Path(cvquiz_env["CVQUIZ_CONFIG"])
    config.parent.mkdir(parents=True)
    config.write_text('[decks."cv/detection"]\nnew_per_day = -4\n', encoding="utf-8")
    done = run([cvquiz_command(), "status"])
    assert done.returncode == 2
    assert error_lines(done.stderr) == [
        f'Error: {config}: decks."cv/detection".new_per_day: expected a whole number from 0 to 9999, got -4'
    ]
    config.unlink()
    done = run([cvquiz_command(), "config", "set", "decks.cv/detection.new_per_day", "lots"])
    assert done.returncode == 2
    assert error_lines(done.stderr) == [
        "Error: decks.cv/detection.new_per_day: expected a whole number from 0 to 9999, got 'lots'"
    ]


def test_setting_errors_speak_chinese(cvquiz_env: dict[str, str]) -> None:
    config = Path(cvquiz_env["CVQUIZ_CONFIG"])
    config.parent.mkdir(parents=True)
    config.write_text("[decks.conv]\nnew_cards = 3\n", encoding="utf-8")
    done = run([cvquiz_command(), "--lang", "zh", "status"])
    assert error_lines(done.stderr) == [
        f"错误：{config}：decks.conv：只能设置 new_per_day 和 reviews_per_day"
    ]
    config.unlink()
    for key, value, message in (
        ("new_per_day", "lots", "错误：new_per_day：应为 0 至 9999 的整数，实际为 'lots'"),
        ("fuzz", "maybe", "错误：fuzz：应为 true 或 false，实际为 'maybe'"),
        (
            "learning_steps",
            "1x",
            "错误：learning_steps：无法读取步长 '1x'：请写数字加单位，如 1m 10m 1h 1d",
        ),
    ):
        done = run([cvquiz_command(), "--lang", "zh", "config", "set", key, value])
        assert done.returncode == 2
        assert error_lines(done.stderr) == [message]


# --- item 12: user text prints as written: no markup eaten, no emoji made -----------------------------------


MARKUP_DECK = """\
deck: mine
name: "My [bold]deck[/] :fire: :-1:"
tags: ["t[b]x"]
cards:
  - id: one
    question: "What is [red]w[/red] :fire: here?"
    answer: "a[b] :thumbs_up:"
    tags: ["s[i]x"]
"""


def test_paths_names_and_card_text_print_as_written(tmp_path: Path) -> None:
    home = tmp_path / "a:fire:[red]x"
    decks = home / "decks"
    decks.mkdir(parents=True)
    (decks / "mine.yaml").write_text(MARKUP_DECK, encoding="utf-8")
    env = {
        "CVQUIZ_COLLECTION": str(home / "c.sqlite"),
        "CVQUIZ_DECKS": str(decks),
        "CVQUIZ_CONFIG": str(home / "c.toml"),
        "COLUMNS": "250",
    }
    expected = {
        ("decks",): ["My [bold]deck[/] :fire: :-1:"],
        ("paths",): [str(home / "c.sqlite"), str(decks)],
        ("show", "mine/one"): ["What is [red]w[/red] :fire: here?", "a[b] :thumbs_up:", "s[i]x"],
        ("search", "here"): ["What is [red]w[/red] :fire: here?"],
        ("export", "text", "--deck", "mine", "-o", str(home / "t[b]:fire:.txt")): [
            f"Wrote {home / 't[b]:fire:.txt'}"
        ],
    }
    for command, texts in expected.items():
        done = run([cvquiz_command(), *command], env=env)
        assert done.returncode == 0, (command, done.stderr)
        shown = done.stdout + done.stderr
        assert "🔥" not in shown and "👎" not in shown and "👍" not in shown, command
        for text in texts:
            assert text in shown, (command, text, shown)
    done = run([cvquiz_command(), "drill", "--deck", "mine"], env=env, stdin="\n3\n")
    assert "What is [red]w[/red] :fire: here?" in done.stdout and "🔥" not in done.stdout
    broken = decks / "b[b]:fire:.yaml"
    broken.write_text(
        "deck: broken\nname: B\ncards:\n  - id: x\n    q[b]:-1:: 3\n", encoding="utf-8"
    )
    done = run([cvquiz_command(), "check", str(broken)], env=env)
    assert done.returncode == 1
    assert f"{broken}:5:5: card 'x': unknown field 'q[b]:-1:'" in done.stdout + done.stderr


# --- item 6: deck files that ended in a traceback ------------------------------------------------------------


def _deck(card_lines: str) -> str:
    return "deck: mine\nname: Mine\ncards:\n  - id: a\n" + card_lines


BAD_DECKS = {
    "cloze-huge": (
        _deck('    type: cloze\n    question: "x {{c99999999999999999999::y}}"\n'),
        "6:5: card 'a': cloze question: deletion {{c999999999999…::...}}: deletions are numbered"
        " from c1 to c999",
    ),
    "cloze-zero": (
        _deck('    type: cloze\n    question: "x {{c0::y}}"\n'),
        "6:5: card 'a': cloze question: deletion {{c0::...}}: deletions are numbered from c1 to c999",
    ),
    "cloze-empty": (
        _deck('    type: cloze\n    question: "x {{c1::}} y"\n'),
        "6:5: card 'a': cloze question: deletion '{{c1::}}' deletes nothing (Anki makes no card of it)",
    ),
    "key-int": (
        _deck("    question: q\n    answer: a\n    1: z\n"),
        "7:5: key 1 is not text (YAML reads it as 1); quote it: '1'",
    ),
    "key-null": (
        "deck: mine\nname: Mine\n~: 3\ncards: []\n",
        "3:1: key ~ is not text (YAML reads it as None); quote it: '~'",
    ),
    "key-yes": (
        _deck("    question: q\n    yes: a\n"),
        "6:5: key yes is not text (YAML reads it as True); quote it: 'yes'",
    ),
    "key-on": (
        "deck: mine\nname: Mine\ncards:\n  - {id: a, question: q, answer: a, on: 1}\n",
        "4:37: key on is not text (YAML reads it as True); quote it: 'on'",
    ),
    "deep": (
        "deck: mine\nname: Mine\ncards: " + "[" * 400 + "]" * 400 + "\n",
        "3:107: nested more than 100 levels deep",
    ),
    "two-documents": (
        "deck: mine\nname: Mine\ncards: []\n---\ndeck: other\n",
        "4:1: a second YAML document starts here; a deck file holds one (remove this '---' or what follows it)",
    ),
    "id-newline": (
        _deck("    question: q\n    answer: a\n").replace("- id: a", '- id: "a\\n"'),
        "4:5: bad card id 'a\\n': lowercase letters, digits, '-' and '_', starting with a letter or digit",
    ),
    "id-long": (
        _deck("    question: q\n    answer: a\n").replace("- id: a", "- id: " + "a" * 101),
        "4:5: card id '" + "a" * 40 + "…' is 101 characters long; at most 100 are allowed",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_DECKS))
def test_a_bad_deck_file_is_one_clear_line_in_check_and_in_sync(
    name: str, user_decks: Path, cvquiz_env: dict[str, str]
) -> None:
    text, message = BAD_DECKS[name]
    path = user_decks / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    done = run([cvquiz_command(), "check", str(path)])
    assert done.returncode == 1
    assert f"{path}:{message}" in error_lines(done.stdout + done.stderr), done.stdout + done.stderr
    done = run([cvquiz_command(), "decks"])  # a sync: the file is reported, nothing else breaks
    assert "Traceback" not in done.stderr
    assert f"{path}:{message}" in done.stderr
    assert path.read_text(encoding="utf-8") == text


def test_add_refuses_a_deck_id_with_a_newline_or_too_long(user_decks: Path) -> None:
    for deck, message in (
        (
            "x\n",
            "Error: bad deck id 'x\\n': lowercase letters, digits, '-', '_' and '/' (e.g. my/interviews)",
        ),
        (
            "d" * 300,
            "Error: deck id '" + "d" * 40 + "…' is 300 characters long; at most 100 are allowed",
        ),
    ):
        done = run([cvquiz_command(), "add", "--deck", deck, "-q", "Q?", "-a", "A."])
        assert done.returncode != 0
        assert error_lines(done.stderr) == [message]
    assert list(user_decks.iterdir()) == []


def test_check_reads_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "deck.yaml"
    os.mkfifo(fifo)
    text = "deck: piped\nname: Piped\ncards:\n  - {id: a, question: q}\n"
    writer = threading.Thread(target=lambda: fifo.write_text(text, encoding="utf-8"))
    writer.start()
    done = run([cvquiz_command(), "check", str(fifo)])
    writer.join(timeout=30)
    assert done.returncode == 1, done.stderr
    assert f"{fifo}:4:5: card 'a': missing field 'answer'" in done.stdout + done.stderr
    assert "no such file" not in done.stdout + done.stderr


UNSTUDYABLE_DECK = """\
deck: mine
name: Mine
cards:
  - id: basic
    question: What is a stride?
    answer: The step of the kernel.
  - id: nosuch
    type: compute
    generator: no_such_generator
  - id: kernel0
    type: compute
    generator: conv2d_output_shape
    params: {kernel: [0]}
"""


def test_an_unstudyable_compute_card_is_left_out_and_nothing_stops(
    user_decks: Path, tmp_path: Path
) -> None:
    path = user_decks / "mine.yaml"
    path.write_text(UNSTUDYABLE_DECK, encoding="utf-8")
    done = run([cvquiz_command(), "drill", "--deck", "mine", "--json"], stdin="\n3\n")
    assert done.returncode == 0, done.stderr
    warnings = error_lines(done.stderr)
    assert len(warnings) == 2, warnings
    assert warnings[0].startswith(f"Warning: {path}:7:5: card 'nosuch': unknown generator")
    assert warnings[1].startswith(f"Warning: {path}:10:5: card 'kernel0': params.kernel: 0")
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert [e["event"] for e in events].count("rated") == 1
    out = tmp_path / "mine.apkg"
    done = run([cvquiz_command(), "export", "anki", "--deck", "mine", "-o", str(out)])
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 0
    done = run([cvquiz_command(), "check", str(path)])
    assert done.returncode == 1
    assert f"{path}:7:5: card 'nosuch': unknown generator" in done.stderr
    collection = Path(os.environ["CVQUIZ_COLLECTION"])
    collection.chmod(0o444)  # the file is read again on every sync, and nothing needs writing
    try:
        done = run(unprivileged([cvquiz_command(), "status"]))
    finally:
        collection.chmod(0o644)
    assert done.returncode == 0, done.stderr
    assert len(error_lines(done.stderr)) == 2
