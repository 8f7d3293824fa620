"""The bundled decks as a product: coverage of the notes, size, two languages, no repeats, working compute cards."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict

import pytest

from cvquiz.deckfile import DeckSource, load_decks
from cvquiz.model import Card, CardType, Deck
from cvquiz.paths import bundled_decks_dir

NOTES_ITEMS = (1, 2, 3, 5, 13, 16, 17, 18, 19, 20, 21, 22, 25, 26, 28)
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def decks() -> list[Deck]:
    files = sorted(bundled_decks_dir().glob("*.yaml"))
    return load_decks([DeckSource(p, bundled=True) for p in files])


def all_cards(decks: list[Deck]) -> list[tuple[Deck, Card]]:
    return [(d, c) for d in decks for c in d.cards]


def test_size(decks: list[Deck]) -> None:
    cards = all_cards(decks)
    assert len(decks) >= 12
    assert len(cards) >= 300
    compute = [c for _, c in cards if c.type is CardType.COMPUTE]
    assert len(compute) >= 120 and len({c.generator for c in compute}) >= 40


def test_every_notes_item_has_cards(decks: list[Deck]) -> None:
    tagged = Counter(
        int(t.split("::")[1])
        for _, c in all_cards(decks)
        for t in c.tags
        if t.startswith("notes::")
    )
    missing = [item for item in NOTES_ITEMS if tagged[item] == 0]
    assert missing == []


def test_every_card_is_bilingual(decks: list[Deck]) -> None:
    problems = []
    for deck, card in all_cards(decks):
        texts = [card.question, card.answer] if card.type is not CardType.COMPUTE else []
        present = [t for t in texts if t is not None]
        if any(not t.zh or not t.en for t in present):
            problems.append(f"{deck.id}/{card.id}: missing a language")
        elif present and not any(CJK.search(t.zh or "") for t in present):
            # a side may be code (`a[::-1]`), but the card as a whole speaks Chinese
            problems.append(f"{deck.id}/{card.id}: the zh text has no Chinese")
    assert problems == []


def normalised(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\W_]+", "", text)


def test_no_two_cards_ask_the_same_question(decks: list[Deck]) -> None:
    seen: dict[str, list[str]] = defaultdict(list)
    for deck, card in all_cards(decks):
        if card.type is CardType.COMPUTE:
            key = f"{card.generator}|{sorted(card.params.items())}|{card.question.en or ''}"
        else:
            key = normalised(card.question.en or "")
        seen[key].append(f"{deck.id}/{card.id}")
    repeats = {k: v for k, v in seen.items() if len(v) > 1}
    assert repeats == {}


def test_sources_are_kept_for_linked_notes_items(decks: list[Deck]) -> None:
    links = {
        3: "https://zhuanlan.zhihu.com/p/62760780",
        17: "https://zhuanlan.zhihu.com/p/58883095",
        20: "https://blog.csdn.net/weixin_40546602/article/details/105292391",
        22: "https://zhuanlan.zhihu.com/p/92134485",
        25: "https://www.zhihu.com/question/64134994/answer/216895968",
        26: "https://zhuanlan.zhihu.com/p/56882616",
        28: "https://zhuanlan.zhihu.com/p/72374385",
    }
    sources = defaultdict(set)
    for _, card in all_cards(decks):
        for tag in card.tags:
            if tag.startswith("notes::") and card.source:
                sources[int(tag.split("::")[1])].add(card.source)
    for item, url in links.items():
        assert url in sources[item], f"notes item {item} lost its link {url}"


def test_every_compute_card_gives_50_valid_instances(decks: list[Deck]) -> None:
    from cvquiz.generators import generate, judge_instance

    for deck, card in all_cards(decks):
        if card.type is not CardType.COMPUTE:
            continue
        for seed in range(50):
            instance = generate(card, seed)
            assert judge_instance(instance, instance.expected_text).correct, (
                f"{deck.id}/{card.id} seed {seed}"
            )
            assert instance.prompt.zh and instance.prompt.en
            assert instance.solution.zh and instance.solution.en
