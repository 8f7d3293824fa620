"""Generate docs/generators.md from the generator registry: every generator, its parameters, an example.

Usage: ``python scripts/gen_generators_doc.py`` rewrites the file; ``--check`` exits 1 when it is out of date
(CI runs it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET = ROOT / "docs" / "generators.md"

TOPICS = {
    "shapes": "Layer shapes, parameters and cost",
    "signal": "Convolution modes",
    "losses": "Losses",
    "detection": "Detection metrics",
    "proposals": "NMS and anchor assignment",
    "dense": "Segmentation, upsampling and keypoints",
    "training": "Optimisers, normalisation, quantization and attention",
    "geometry": "Geometry and tracking",
    "misc": "Slicing, initialisation and training",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def generators_doc() -> str:
    """The Markdown text of docs/generators.md."""
    from cvquiz.generators import generate, list_generators
    from cvquiz.model import Card, CardType

    infos = list_generators()
    out = [
        "# Compute-card generators",
        "",
        "Generated from the registry by `python scripts/gen_generators_doc.py`; do not edit by hand.",
        "",
        "A compute card names a generator and may narrow its parameters; every review draws a new problem from a",
        "seed, the answer comes from the NumPy engine, and a worked solution is shown after answering. See",
        "[the deck format](deck-format.md) for the card fields and `cvquiz calc --list-generators` in the terminal.",
        "",
        "```yaml",
        "- id: ce-batch",
        "  type: compute",
        "  generator: cross_entropy",
        "  params:",
        "    batch: [2]                   # a list of allowed values ...",
        "    classes: {min: 3, max: 4}    # ... or an inclusive range",
        "  decimals: 3                    # optional: judge at 3 decimals (or tolerance: {rel: 0.01})",
        "```",
        "",
        "A value outside a generator's own space is an error (`cvquiz check` reports it). Parameters a card does",
        "not name keep their whole space. Where a combination can never make a valid problem (a kernel larger",
        "than the padded input, say), `cvquiz check` says so too.",
        "",
        "| generator | answer | asks |",
        "|---|---|---|",
    ]
    for info in infos:
        kinds = ", ".join(k.value for k in info.kinds)
        out.append(f"| [`{info.name}`](#{info.name}) | {kinds} | {_cell(info.title.get('en'))} |")
    out.append("")
    topic = None
    for info in infos:
        if info.topic != topic:
            topic = info.topic
            out += [f"## {TOPICS.get(topic, topic)}", ""]
        out += [f"### {info.name}", "", f"{info.title.get('en')}（{info.title.get('zh')}）", ""]
        judged = []
        if info.decimals is not None:
            judged.append(f"to {info.decimals} decimals")
        if info.rel_tol is not None:
            judged.append(f"within {info.rel_tol * 100:g}%")
        facts = [f"answer: {', '.join(k.value for k in info.kinds)}"]
        if judged:
            facts.append("judged " + " or ".join(judged) + " unless the card says otherwise")
        if info.notes:
            facts.append("notes: " + ", ".join(f"`{n}`" for n in info.notes))
        out += ["; ".join(facts) + ".", ""]
        out += ["| parameter | allowed | meaning |", "|---|---|---|"]
        for spec in info.params:
            out.append(
                f"| `{spec.name}` | {_cell(spec.describe())} | {_cell(spec.description.get('en'))} |"
            )
        example = generate(Card(id="example", type=CardType.COMPUTE, generator=info.name), 0)
        out += ["", "Example (seed 0):", ""]
        out += ["> " + line if line else ">" for line in example.prompt.get("en").splitlines()]
        out += ["", f"Answer: `{example.expected_text}`", ""]
    return "\n".join(out).rstrip() + "\n"


def main() -> int:
    """Write or check docs/generators.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    args = parser.parse_args()
    text = generators_doc()
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(
                f"{TARGET.relative_to(ROOT)} is out of date: run python scripts/gen_generators_doc.py"
            )
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
