"""Deck files: parsing every card type, identity through edits, and bad decks."""

from __future__ import annotations

import json
from pathlib import Path

from learndl_cli.deckparse import parse_deck

HEAD = "---\nid: d\ntitle: D\nchapter: 3\n---\n\n"


def parse(body: str):
    return parse_deck(HEAD + body, "d.md")


def test_every_card_type():
    deck = parse(
        "# H1\n## H2\n\nQ: line one\nline two\nA: answer\nmore answer\n\n"
        "front :: back\n\nterm ::: definition\n\n"
        "A {{c1::x}} and {{c2::y::hint}} and {{c1::z}}.\n\nThe ==first== and ==second==.\n"
    )
    assert not deck.problems
    kinds = [(c.kind, c.ordinal) for c in deck.cards]
    assert kinds == [
        ("basic", ""), ("basic", ""), ("reversed", "fwd"), ("reversed", "rev"),
        ("cloze", "c1"), ("cloze", "c2"), ("cloze", "c1"), ("cloze", "c2"),
    ]
    qa = deck.cards[0]
    assert qa.front == "line one\nline two" and qa.back == "answer\nmore answer"
    assert qa.context == "H1 › H2"
    rev = deck.cards[3]
    assert (rev.front, rev.back) == ("definition", "term")
    c1 = deck.cards[4]
    assert c1.front == "A […] and y and […]." and "**x**" in c1.back and "**z**" in c1.back
    assert deck.cards[5].front == "A x and [hint…] and z."
    assert deck.cards[6].front == "The […] and second."


def test_code_math_and_tags_do_not_confuse_the_parser():
    deck = parse(
        "Q: what does `a::b` print?\nA: see\n```python\nx = {'a': 1}\n\nprint(x)  # a :: b\n```\ntags: code #python\n\n"
        "$$\\frac{a}{b} :: c$$ ::: display maths on the front\n\n"
        "Xavier {{c1::$\\frac{2}{n_{in} + n_{out}}$}} keeps variance\nsource: notes.txt § 4.8\n"
    )
    assert not deck.problems, deck.problems
    assert deck.cards[0].tags == ("code", "python")
    assert "print(x)" in deck.cards[0].back
    assert deck.cards[1].front == "$$\\frac{a}{b} :: c$$"
    assert deck.cards[3].back == "Xavier **$\\frac{2}{n_{in} + n_{out}}$** keeps variance"
    assert deck.cards[3].source == "notes.txt § 4.8"


def test_sticky_source_and_front_matter_tags():
    deck = parse_deck(
        "---\nid: d\ntitle: D\nchapter: 3\ntags: [a, b]\nsource: n.txt § top\n---\n\nx :: y\n\nsource: n.txt § other\n\nz :: w\nsource: n.txt § own\n\nu :: v\n",
        "d.md",
    )
    assert [c.source for c in deck.cards] == ["n.txt § top", "n.txt § own", "n.txt § other"]
    assert deck.cards[0].tags == ("a", "b")


def test_problems_have_line_numbers_and_the_rest_still_loads():
    deck = parse("good :: card\n\njust prose here\n\nQ: no answer\n\nA: lonely\n\nok :: two\n\n{{c1::}} empty\n\ngood :: again\n")
    messages = [str(p) for p in deck.problems]
    assert messages[0].startswith("d.md:9: not a card")
    assert messages[1].startswith("d.md:11: 'Q:' without an 'A:'")
    assert messages[2].startswith("d.md:13: 'A:' without a 'Q:'")
    assert messages[3].startswith("d.md:17: cloze c1 is empty")
    assert messages[4].startswith("d.md:19: duplicate card")
    assert [c.front for c in deck.cards] == ["good", "ok"]


def test_front_matter_problems():
    assert str(parse_deck("no front matter", "x.md").problems[0]).startswith("x.md:1: missing front matter")
    bad = parse_deck("---\nid: a b\ntitle: T\nchapter: two\n---\n", "x.md")
    assert [p.line for p in bad.problems] == [2, 4]
    bad = parse_deck("---\nid: a\ntitle: T\nchapter: two\ncolour: red\n---\n", "x.md")
    assert {p.line for p in bad.problems} == {4, 5}


# ---------------------------------------------------------------- identity through edits


def write(path: Path, body: str, deck_id: str = "basics", chapter: int = 2) -> None:
    path.write_text(f"---\nid: {deck_id}\ntitle: T {deck_id}\nchapter: {chapter}\n---\n\n{body}", encoding="utf-8")


def study_all(cli):
    """Answer Good to everything due (siblings wait), so every card shown has history."""
    return cli("quiz", input="\n3\n" * 30 + "q\n")


def card_by_front(db, front):
    rows = list(db().query("select * from cards where front = ?", [front]))
    assert len(rows) == 1, rows
    return rows[0]


def test_identity_survives_typos_answer_edits_moves_and_rewrites(cli, deck_dir, db):
    for f in deck_dir.glob("*.md"):
        f.unlink()
    a = deck_dir / "a.md"
    b = deck_dir / "b.md"
    write(a, "Q: Waht is a tensor?\nA: an array\n\nkeep :: me\n\nold wording :: pinned\nid: pin-1\n\n"
             "moving :: card\n\ngone :: soon\n")
    write(b, "other :: deck\n", deck_id="other")
    study_all(cli)
    before = {r["front"]: r for r in db().query("select * from cards")}
    assert all(r["reps"] >= 1 for r in before.values())

    # typo fixed in a question, answer edited, pinned card rewritten, one card moved to b.md,
    # one removed, whitespace changed.
    write(a, "Q: What is a tensor?\nA: an n-dimensional array\n\nkeep   ::   me\n\n"
             "completely new words :: also new\nid: pin-1\n")
    write(b, "other :: deck\n\nmoving :: card\n", deck_id="other")
    cli("status")
    after = {r["id"]: r for r in db().query("select * from cards")}

    def same(old_front, new_front):
        old = before[old_front]
        new = after[old["id"]]
        assert new["front"] == new_front and new["active"] == 1 and new["reps"] == old["reps"]

    same("Waht is a tensor?", "What is a tensor?")
    same("keep", "keep")
    same("old wording", "completely new words")
    same("moving", "moving")
    assert after[before["moving"]["id"]]["deck_id"] == "other"
    gone = after[before["gone"]["id"]]
    assert gone["active"] == 0
    kept = len(list(db().query("select id from reviews where card_id = ?", [gone["id"]])))
    assert kept == gone["reps"] >= 1

    # the removed card comes back with its history
    write(a, "Q: What is a tensor?\nA: an n-dimensional array\n\nkeep :: me\n\ngone :: soon\n")
    cli("status")
    back = next(db().query("select * from cards where id = ?", [gone["id"]]))
    assert back["active"] == 1 and back["reps"] == gone["reps"]
    # a.md has 3 cards, b.md 2; the pinned card is inactive now, with its history
    assert len(list(db().query("select id from cards where active = 1"))) == 5
    assert after[before["old wording"]["id"]]["reps"] >= 1


def test_reversed_sibling_keeps_identity_when_definition_changes(cli, deck_dir, db):
    for f in deck_dir.glob("*.md"):
        f.unlink()
    a = deck_dir / "a.md"
    write(a, "term ::: the first definition\n")
    cli("status")
    ids = {r["ordinal"]: r["id"] for r in db().query("select * from cards")}
    write(a, "term ::: a rather different definition entirely\n")
    cli("status")
    now = {r["ordinal"]: r["id"] for r in db().query("select * from cards where active = 1")}
    assert now == ids


def test_unchanged_files_are_not_reparsed(cli, deck_dir, home):
    from learndl_cli.config import load_settings
    from learndl_cli.decks import sync
    from learndl_cli.store.db import open_db
    from datetime import datetime, timezone

    now = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    d = open_db(home)
    first = sync(d, load_settings(home), now)
    assert first.parsed_files == 1
    second = sync(d, load_settings(home), now)
    assert second.parsed_files == 0 and second.added == 0
    # touching without changing content: re-hashed, not re-parsed
    f = next(deck_dir.glob("*.md"))
    f.write_bytes(f.read_bytes())
    third = sync(d, load_settings(home), now)
    assert third.parsed_files == 0
    d.conn.close()


def test_broken_deck_reports_path_line_and_others_still_load(cli, deck_dir):
    (deck_dir / "broken.md").write_text("---\nid: broken\ntitle: B\nchapter: 2\n---\n\nfine :: card\n\nnot a card at all\n", encoding="utf-8")
    (deck_dir / "nofm.md").write_text("just text\n", encoding="utf-8")
    result = cli("decks", "list", "--json")
    assert result.exit_code == 0
    decks = {d["id"]: d for d in json.loads(result.stdout)}
    assert decks["basics"]["cards"] == 7 and decks["broken"]["cards"] == 1
    validate = cli("decks", "validate")
    assert validate.exit_code == 1
    lines = validate.stdout.strip().splitlines()
    assert any(line.endswith("broken.md:9: not a card: expected 'Q:'/'A:', 'front :: back', 'front ::: back' or a cloze ({{c1::…}} or ==…==)") for line in lines)
    assert any("nofm.md:1: missing front matter" in line for line in lines)
    quiz = cli("quiz", "--limit", "1", input="\n3\n")
    assert quiz.exit_code == 0
    assert "broken.md:9" in quiz.output


def test_decks_add_remove_and_list_json(cli, tmp_path, home):
    mine = tmp_path / "mine.md"
    write(mine, "x :: y\n\nQ: q\nA: a\n", deck_id="mine", chapter=4)
    result = cli("decks", "add", str(mine))
    assert result.exit_code == 0 and "1 deck(s), 2 cards" in result.stdout
    data = json.loads(cli("decks", "list", "--json").stdout)
    entry = next(d for d in data if d["id"] == "mine")
    assert set(entry) >= {"id", "title", "chapter", "path", "cards", "due"}
    assert entry["chapter"] == 4 and entry["cards"] == 2
    # the bundled decks are listed too
    assert any(d["id"] != "mine" for d in data)
    # edits show up on the next run
    write(mine, "x :: y\n\nQ: q\nA: a\n\nnew :: card\n", deck_id="mine", chapter=4)
    data = json.loads(cli("decks", "list", "--json").stdout)
    assert next(d for d in data if d["id"] == "mine")["cards"] == 3
    assert cli("decks", "remove", str(mine)).exit_code == 0
    data = json.loads(cli("decks", "list", "--json").stdout)
    assert all(d["id"] != "mine" for d in data)
    bad = cli("decks", "add", str(tmp_path / "nope.md"))
    assert bad.exit_code == 2 and "no such file" in bad.output


from hypothesis import given, settings, strategies as st


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab :$`\\=\n中", max_size=40))
def test_fast_separator_agrees_with_the_masking_parser(text):
    from learndl_cli.deckparse import _first_separator, _mask

    if "```" in text or "~~~" in text or "{{" in text:
        return
    fast = _first_separator(text)
    if fast >= 0:
        assert fast == _mask(text).find("::")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_parser_never_raises_on_arbitrary_text(text):
    deck = parse_deck(HEAD + text, "fuzz.md")
    for problem in deck.problems:
        assert str(problem).startswith("fuzz.md:")


def test_a_code_block_after_a_blank_line_belongs_to_the_answer():
    deck = parse("Q: how?\nA: like this:\n\n```python\nx = 1\n\ny = 2\n```\n\n# Next\n\n```python\norphan()\n```\n")
    assert len(deck.cards) == 1
    assert deck.cards[0].back.endswith("```python\nx = 1\n\ny = 2\n```")
    assert [p.message.split(":")[0] for p in deck.problems] == ["not a card"]


def test_fixture_decks_validate_clean(cli, deck_dir):
    result = cli("decks", "validate")
    assert result.exit_code == 0, result.output
    assert "7 cards" in result.output


def test_decks_list_at_80_columns_shows_every_id_whole(cli, home):
    """With the bundled decks: every id (what --deck takes) whole, with ch, cards, due today and
    new; the path only in --json (and on wide terminals)."""
    data = json.loads(cli("decks", "list", "--json").stdout)
    assert data and all(d["path"] for d in data)
    out = cli("decks", "list", env={"COLUMNS": "80"}).stdout
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert lines[0].split()[:1] == ["id"] and "due today" in lines[0] and "new" in lines[0]
    rows = {line.split()[0]: line.split() for line in lines[1 : 1 + len(data)]}
    assert set(rows) == {d["id"] for d in data}
    for d in data:
        row = rows[d["id"]]
        assert row[-4:] == [str(d["chapter"]), str(d["cards"]), str(d["due"]), str(d["new"])]
    assert "decks/" not in out and "--json" in out
    wide = cli("decks", "list", env={"COLUMNS": "200"}).stdout
    assert "path" in wide.splitlines()[0]
