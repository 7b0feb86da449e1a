"""Draw proposed cards at random from notes files, for grading by hand (docs/interop.md).

    .venv/bin/python scripts/notes_sample.py --seed 16 --n 40 NOTES...

Every proposal of every file is a ticket; ``random.Random(seed).sample`` draws ``n`` of them, so the
same files and seed always give the same sample. Each is printed with its file, line and rule, the
question and the answer, numbered for a grading sheet (good / weak / junk).
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from learndl_cli.notes import import_notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--n", type=int, default=40)
    args = parser.parse_args()
    tickets = []
    for path in sorted(args.files):
        result = import_notes(path.read_text(encoding="utf-8"), str(path))
        tickets += [(path.name, p) for p in result.proposals]
    drawn = random.Random(args.seed).sample(tickets, min(args.n, len(tickets)))
    print(f"{len(drawn)} of {len(tickets)} proposals from {len(args.files)} files (seed {args.seed})\n")
    for k, (name, p) in enumerate(drawn, 1):
        print(f"{k:2}. {name}:{p.line} [{p.origin}] {p.context}")
        print(f"    Q: {p.front if p.kind != 'cloze' else '(cloze)'}")
        print("    A: " + p.back.replace("\n", "\n       "))


if __name__ == "__main__":
    main()
