"""The judge against a library of submissions: for every bundled code card, a correct one and plausible wrong ones.

Each file under tests/code_submissions/<card id>/ says on its first line what the judge must answer (see the
README there): ``# correct``, or ``# wrong: KIND: TEXT`` with the failure kind and a piece of the message that
names the difference. The files of one card are judged one after another in one child process, as
`cvquiz check` judges model solutions; the hazards (timeouts, crashes) have their own tests with fresh children.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cvquiz.codecards.judge import CodeJudge
from cvquiz.codecards.sandbox import Sandbox
from cvquiz.codecards.spec import check_cards, code_spec
from cvquiz.deckfile import load_deck
from cvquiz.model import Deck
from cvquiz.paths import bundled_decks_dir

SUBMISSIONS = Path(__file__).resolve().parent / "code_submissions"
EXPECT = re.compile(r"^# (?:(correct)|wrong: (\w+): (.+))$")

CARDS = {
    "convolve2d": "convolve2d",
    "conv2d": "conv2d",
    "im2col": "im2col",
    "max-pool2d": "max_pool2d",
    "depthwise-separable-conv": "depthwise_separable_conv",
    "softmax-cross-entropy": "softmax_cross_entropy",
    "softmax-cross-entropy-grad": "softmax_cross_entropy_grad",
    "svm-hinge-loss": "svm_hinge_loss",
    "svm-hinge-grad": "svm_hinge_grad",
    "iou": "iou",
    "box-iou-matrix": "box_iou",
    "nms": "nms",
    "voc-ap": "voc_ap",
    "batchnorm-forward": "batchnorm_forward",
    "mlp-backward": "mlp_backward",
    "reverse-rows": "reverse_rows",
    "sigmoid-focal-loss": "sigmoid_focal_loss",
}
"""The cards the code deck must have, with the function each asks for."""


@pytest.fixture(scope="module")
def deck() -> Deck:
    return load_deck(bundled_decks_dir() / "code.yaml", bundled=True)


def test_the_code_deck_has_exactly_the_cards_and_functions_asked_for(deck: Deck) -> None:
    assert deck.id == "code"
    found = {card.id: code_spec(card).function.name for card in deck.cards}
    assert {k: found.get(k) for k in CARDS} == CARDS


def test_every_card_has_a_correct_and_two_wrong_submissions() -> None:
    for card_id in CARDS:
        firsts = [
            p.read_text(encoding="utf-8").splitlines()[0]
            for p in (SUBMISSIONS / card_id).glob("*.py")
        ]
        assert "# correct" in firsts, card_id
        assert sum(line.startswith("# wrong: ") for line in firsts) >= 2, card_id


@pytest.mark.slow
def test_every_model_solution_passes_its_own_judge(deck: Deck) -> None:
    problems = check_cards(deck.cards)
    assert {card.id: p for card, p in zip(deck.cards, problems, strict=True) if p} == {}


@pytest.mark.slow
@pytest.mark.parametrize("card_id", sorted(CARDS))
def test_the_judge_passes_the_correct_submission_and_names_what_is_wrong_in_the_others(
    deck: Deck, card_id: str
) -> None:
    spec = code_spec(deck.card(card_id))
    judge = CodeJudge(spec)
    wrong = []
    with Sandbox() as sandbox:
        for path in sorted((SUBMISSIONS / card_id).glob("*.py")):
            code = path.read_text(encoding="utf-8")
            expect = EXPECT.match(code.splitlines()[0])
            assert expect, f"{path}: the first line says neither correct nor wrong"
            verdict = judge.judge(code, str(path), sandbox=sandbox)
            if expect.group(1):
                if not verdict.passed:
                    wrong.append(f"{path.name}: should pass, got {verdict.summary}")
                continue
            kind, text = expect.group(2), expect.group(3)
            failure = verdict.first_failure
            if verdict.passed or failure is None:
                wrong.append(f"{path.name}: should fail ({kind}), but passed")
            elif verdict.kind is None or verdict.kind.value != kind or text not in failure.message:
                wrong.append(
                    f"{path.name}: expected {kind} with {text!r}, got {verdict.kind}: {verdict.summary}"
                )
            elif failure.case and (not failure.inputs or failure.expected is None):
                wrong.append(
                    f"{path.name}: the failure does not show its inputs and expected value"
                )
    assert wrong == []
