"""Review history both ways between learndl and the real Anki (the ``anki`` package from PyPI).

Anki's scheduler reads the system clock, so days pass in Anki the way they pass for a collection
synced from another device: the collection is moved one day into the past (its creation time, the
review log's times, the learning cards' due times and the last-review times in the cards' FSRS data),
then reopened. learndl runs with its fixed clock set to the same moments.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from anki.collection import Collection, ExportAnkiPackageOptions, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.scheduler.v3 import CardAnswer

DAY = 86_400
RATINGS = {1: CardAnswer.AGAIN, 2: CardAnswer.HARD, 3: CardAnswer.GOOD, 4: CardAnswer.EASY}
STATE_OF_TYPE = {0: 0, 1: 1, 2: 2, 3: 3}


# ---------------------------------------------------------------- driving Anki


class Anki:
    def __init__(self, path: Path, fsrs: bool):
        self.path = path
        self.col = Collection(str(path))
        self.col.set_config("fsrs", fsrs)

    def reopen(self) -> None:
        self.col.close()
        self.col = Collection(str(self.path))

    def one_day_later(self) -> None:
        """Move everything one day into the past, which is tomorrow for the scheduler."""
        db = self.col.db
        db.execute("update col set crt = crt - ?", DAY)
        db.execute("update revlog set id = id - ?", DAY * 1000)
        db.execute("update cards set due = due - ? where queue in (1, 4) or (queue < 0 and due > 1000000000)", DAY)
        for cid, data in db.all("select id, data from cards where data like '%lrt%'"):
            parsed = json.loads(data)
            parsed["lrt"] -= DAY
            db.execute("update cards set data = ? where id = ?", json.dumps(parsed, separators=(",", ":")), cid)
        self.reopen()

    def study(self, rating_for) -> int:
        """Answer every card the scheduler offers now; ``rating_for(card_id, n)`` gives 1-4."""
        n = 0
        while True:
            queued = self.col.sched.get_queued_cards()
            if not queued.cards:
                return n
            top = queued.cards[0]
            card = self.col.get_card(top.card.id)
            card.start_timer()
            self.col.sched.answer_card(self.col.sched.build_answer(card=card, states=top.states, rating=RATINGS[rating_for(card.id, n)]))
            n += 1

    def now(self) -> datetime:
        """Anki's now: real time, shifted by nothing (the collection moved instead)."""
        return datetime.now(timezone.utc)


def add_notes(col: Collection) -> int:
    deck = col.decks.id("d2l::线性代数")
    col.decks.select(deck)
    notes = [
        ("Basic", {"Front": "What does <b>broadcasting</b> do?", "Back": "Expands shapes to match"}),
        ("Basic", {"Front": "Shape of \\(XW\\) for \\(X\\in\\mathbb{R}^{n\\times d}\\)?", "Back": "\\((n, q)\\)"}),
        ("Basic (and reversed card)", {"Front": "范数 norm", "Back": "a vector's size"}),
        ("Cloze", {"Text": "softmax: {{c1::exponentiate}}, then {{c2::normalise}}", "Back Extra": ""}),
    ]
    for model, fields in notes:
        note = col.new_note(col.models.by_name(model))
        for k, v in fields.items():
            note[k] = v
        col.add_note(note, deck)
    return deck


def anki_collection_with_history(tmp_path: Path, fsrs: bool) -> tuple[Anki, dict]:
    """Five cards studied over six days (lapses included); one suspended, one buried."""
    (tmp_path / "anki").mkdir(exist_ok=True)
    anki = Anki(tmp_path / "anki" / "collection.anki2", fsrs)
    add_notes(anki.col)
    plan = [3, 3, 1, 4, 2, 3, 3, 1, 3, 3, 4, 3, 2, 3, 3, 3, 1, 3, 3, 3]
    for day in range(6):
        anki.study(lambda cid, n, day=day: plan[(cid + n + day) % len(plan)])
        anki.one_day_later()
    cards = sorted(anki.col.find_cards(""))
    anki.col.sched.suspend_cards([cards[0]])
    anki.col.sched.bury_cards([cards[1]], manual=True)
    # One review card sits in a filtered deck, which keeps its own due day aside (odue).
    filtered = anki.col.sched.get_or_create_filtered_deck(0)
    filtered.name = "cram"
    filtered.config.search_terms[0].search = f"cid:{cards[2]}"
    filtered.config.reschedule = True
    anki.col.sched.add_or_update_filtered_deck(filtered)
    assert anki.col.get_card(cards[2]).odid
    return anki, {"suspended": cards[0], "buried": cards[1], "filtered": cards[2]}


def anki_date(col: Collection, day_number: int) -> date:
    """The date of one of Anki's day numbers: counted from the collection's creation day, which
    starts at 04:00 (the zone is UTC in the tests)."""
    return (datetime.fromtimestamp(col.crt, timezone.utc) - timedelta(hours=4)).date() + timedelta(days=day_number)


# ---------------------------------------------------------------- Anki → learndl


@pytest.mark.parametrize("fsrs", [True, False], ids=["fsrs", "sm2"])
def test_a_collection_with_history_comes_into_learndl(cli, home, db, tmp_path, fsrs):
    from learndl_cli.interop.csvio import note_id_for_guid
    from learndl_cli.scheduler import parse_ts, study_day

    anki, marked = anki_collection_with_history(tmp_path, fsrs)
    col = anki.col
    partial = None
    if not fsrs:  # a card whose log lost its first answers (as after "Check database" on an old collection)
        partial = sorted(col.find_cards(""))[-1]
        col.db.execute("delete from revlog where cid = ? and type = 0", partial)  # its learning steps
    package = tmp_path / "studied.apkg"
    col.export_anki_package(out_path=str(package), options=ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True), limit=None)
    home.mkdir(parents=True, exist_ok=True)
    (home / "settings.toml").write_text("bundled_decks = false\nfuzz = false\n", encoding="utf-8")
    now = anki.now().isoformat(timespec="seconds")
    result = cli("import", "--anki", str(package), "--deck", "from-anki", now=now)
    assert result.exit_code == 0, result.output
    n_reviews = col.db.scalar("select count(*) from revlog where ease between 1 and 4")
    n_cards = col.db.scalar("select count(*) from cards")
    assert n_cards == 6  # Basic ×2, both sides of the reversed note, both gaps of the cloze
    assert f"Review history: {n_reviews} reviews added, 6 cards' schedule taken from Anki" in result.stdout
    assert ("6 Anki's FSRS state" if fsrs else "5 recomputed from the reviews, 1 converted from SM-2") in result.stdout

    assert col.get_card(marked["filtered"]).type == 2  # so its due day is checked below
    ords = {"Basic": [""], "Basic (and reversed card)": ["fwd", "rev"], "Cloze": ["c1", "c2"]}
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        note = card.note()
        ordinal = ords[note.note_type()["name"]][card.ord]
        row = next(db().query("select * from cards where deck_id = 'from-anki' and explicit_id = ? and ordinal = ?",
                              [note_id_for_guid(note.guid), ordinal]))
        reviews = list(db().query("select * from reviews where card_id = ? order by ts", [row["id"]]))
        revlog = col.db.all("select id, ease, time from revlog where cid = ? and ease > 0 order by id", cid)
        assert [r["rating"] for r in reviews] == [e for _, e, _ in revlog]
        # the time of each (whole seconds; answers within one second stay one second apart)
        assert all(abs(parse_ts(r["ts"]).timestamp() - ms // 1000) < len(revlog) for r, (ms, _, _) in zip(reviews, revlog))
        assert [r["duration_ms"] for r in reviews] == [t for _, _, t in revlog]
        if cid != partial:
            assert reviews[0]["prev_state"] == 0 and all(r["stability"] for r in reviews)
        else:  # its first answer is gone: no replay, and the first review known is not of a new card
            assert reviews[0]["prev_state"] != 0 and row["stability"] > 0
        assert row["reps"] == card.reps and row["lapses"] == card.lapses
        assert row["state"] == STATE_OF_TYPE[card.type]
        assert row["suspended"] == (1 if cid == marked["suspended"] else 0)
        assert bool(row["buried_until"]) == (cid == marked["buried"])
        if card.type == 2:  # a review card is due on the same day in both
            due = anki_date(col, card.odue if card.odid else card.due)
            assert study_day(parse_ts(row["due"]), 4) == due.isoformat()
        if fsrs:
            assert row["stability"] == pytest.approx(card.memory_state.stability, rel=1e-3)
            assert row["difficulty"] == pytest.approx(card.memory_state.difficulty, rel=1e-3)
    # learndl's queue takes over where Anki's was: the same reviews and learning cards are due today.
    # (the card in the filtered deck counts where its own due day says, as it will once it goes home)
    col.decks.select(col.decks.id("d2l::线性代数"))
    _new, learning, review = col.sched.counts()
    review += col.get_card(marked["filtered"]).odue <= col.sched.today
    deck = next(d for d in json.loads(cli("status", "--json", now=now).stdout)["decks"] if d["id"] == "from-anki")
    assert (deck["due_today"]["learning"], deck["due_today"]["review"]) == (learning, review)

    # Importing the same package again adds nothing.
    from learndl_cli.store.interop import snapshot

    before = snapshot(db())
    again = cli("import", "--anki", str(package), "--deck", "from-anki", now=now)
    assert again.exit_code == 0, again.output
    assert "already here; nothing changed" in again.stdout
    assert snapshot(db()) == before

    # More study in Anki (cards made due today, as *Set due date* does): a newer package brings only
    # the new reviews, and the newer schedules.
    col.sched.set_due_date([c for c in col.find_cards("-is:suspended -is:buried")], "0")
    assert anki.study(lambda cid, n: 3) > 0
    later = tmp_path / "later.apkg"
    col.export_anki_package(out_path=str(later), options=ExportAnkiPackageOptions(with_scheduling=True), limit=None)
    now = anki.now().isoformat(timespec="seconds")
    result = cli("import", "--anki", str(later), "--deck", "from-anki", now=now)
    assert result.exit_code == 0, result.output
    added = col.db.scalar("select count(*) from revlog where ease between 1 and 4") - n_reviews
    assert added > 0 and f"Review history: {added} reviews added" in result.stdout
    assert db().execute("select count(*) from reviews").fetchone()[0] == n_reviews + added
    reps = sorted(db().execute("select reps from cards where deck_id = 'from-anki'").fetchall())
    assert reps == sorted((r,) for r in col.db.list("select reps from cards"))
    col.close()


# ---------------------------------------------------------------- learndl → Anki


def study_in_learndl(cli, start: datetime) -> datetime:
    """Three weeks of scripted sessions at a fixed clock; one card suspended on the last day."""
    times = [start, start + timedelta(minutes=12), start + timedelta(days=1, hours=2), start + timedelta(days=3),
             start + timedelta(days=8, hours=1), start + timedelta(days=20)]
    answers = "\n3\n\n1\n\n3\n\n4\n\n2\n\n3\n" * 10
    for i, t in enumerate(times):
        script = ("s\n" if i == len(times) - 1 else "") + answers + "q\n"
        result = cli("quiz", input=script, now=t.isoformat())
        assert result.exit_code == 0, result.output
    return times[-1] + timedelta(hours=1)


def test_learndl_history_goes_into_a_fresh_anki_collection(cli, deck_dir, db, tmp_path):
    from learndl_cli.scheduler import parse_ts, study_day

    # the last session ends an hour before Anki's now, so both count today's due cards at one time
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=20, hours=1)
    now = study_in_learndl(cli, start)
    package = tmp_path / "learndl.apkg"
    result = cli("export", "--anki", str(package), now=now.isoformat())
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in db().query("select * from cards where active = 1")}
    reviews: dict[str, list] = {}
    for r in db().query("select * from reviews where kind = 'review' order by ts, id"):
        reviews.setdefault(r["card_id"], []).append(r)
    studied = [cid for cid in rows if cid in reviews]
    assert len(studied) >= 4 and any(rows[c]["suspended"] for c in rows)
    assert f"{sum(map(len, reviews.values()))} reviews" in result.stdout

    (tmp_path / "fresh").mkdir()
    col = Collection(str(tmp_path / "fresh" / "collection.anki2"))
    col.set_config("fsrs", True)
    log = col.import_anki_package(ImportAnkiPackageRequest(
        package_path=str(package), options=ImportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True)))
    assert log.log.new, "no notes imported"
    # Each learndl card: find its Anki card through the exported GUID and ordinal.
    import genanki

    ord_of = {"": 0, "fwd": 0, "rev": 1}
    checked = 0
    for cid, row in rows.items():
        note_id = row["note_id"] if row["kind"] != "cloze" or row["path"] else cid
        guid = genanki.guid_for("learndl", note_id)
        ord_ = ord_of.get(row["ordinal"], int(row["ordinal"][1:]) - 1 if row["ordinal"].startswith("c") else 0)
        anki_id = col.db.scalar("select c.id from cards c join notes n on n.id = c.nid where n.guid = ? and c.ord = ?", guid, ord_)
        assert anki_id, (cid, row["kind"], row["ordinal"])
        card = col.get_card(anki_id)
        history = reviews.get(cid, [])
        assert col.db.scalar("select count(*) from revlog where cid = ?", anki_id) == len(history)
        assert col.db.list("select ease from revlog where cid = ? order by id", anki_id) == [r["rating"] for r in history], (row["kind"], row["ordinal"], [r["ts"] for r in history], col.db.list("select id from revlog where cid = ? order by id", anki_id))
        assert card.reps == row["reps"] and card.lapses == row["lapses"]
        assert card.type == row["state"]
        assert (card.queue == -1) == bool(row["suspended"])
        if row["state"] == 2:
            # the same due date: Anki's day number counted from its today, learndl's due time's study day
            assert anki_date(col, card.due) == date.fromisoformat(study_day(parse_ts(row["due"]), 4))
            assert card.ivl >= 1
        elif row["state"] in (1, 3) and not row["suspended"]:  # learning again within the day: due to the second
            assert card.queue == 1 and card.due == int(parse_ts(row["due"]).timestamp())
        if row["state"]:
            assert card.memory_state is not None
            assert card.memory_state.stability == pytest.approx(row["stability"], rel=1e-3)
            assert card.memory_state.difficulty == pytest.approx(row["difficulty"], rel=1e-3)
            checked += 1
    assert checked >= 4
    # Anki's queue takes over where learndl's was: the same reviews are due today.
    col.decks.select(col.decks.id("learndl"))
    _new, _learning, review = col.sched.counts()
    due = json.loads(cli("status", "--json", now=now.isoformat()).stdout)["decks"]
    assert review == sum(d["due_today"]["review"] for d in due), review
    col.close()


def test_no_progress_shares_the_deck_without_history(cli, deck_dir, tmp_path):
    study_in_learndl(cli, datetime(2026, 2, 1, 9, tzinfo=timezone.utc))
    package = tmp_path / "share.apkg"
    result = cli("export", "--anki", str(package), "--no-progress")
    assert result.exit_code == 0 and "every card new (--no-progress)" in result.stdout
    (tmp_path / "fresh").mkdir()
    col = Collection(str(tmp_path / "fresh" / "collection.anki2"))
    col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions(with_scheduling=True)))
    assert col.db.scalar("select count(*) from revlog") == 0
    assert col.db.list("select distinct type from cards") == [0]
    col.close()


def test_a_package_in_the_format_for_older_ankis_carries_the_history_too(cli, home, db, tmp_path):
    """'Support older Anki versions': collection.anki21, schema 11, the deck options as JSON."""
    anki, _marked = anki_collection_with_history(tmp_path, True)
    package = tmp_path / "legacy.apkg"
    anki.col.export_anki_package(out_path=str(package), options=ExportAnkiPackageOptions(with_scheduling=True, legacy=True), limit=None)
    n_reviews = anki.col.db.scalar("select count(*) from revlog where ease between 1 and 4")
    stabilities = sorted(round(c.memory_state.stability, 2) for c in map(anki.col.get_card, anki.col.find_cards("")))
    anki.col.close()
    home.mkdir(parents=True, exist_ok=True)
    (home / "settings.toml").write_text("bundled_decks = false\n", encoding="utf-8")
    result = cli("import", "--anki", str(package), now=anki.now().isoformat(timespec="seconds"))
    assert result.exit_code == 0, result.output
    assert f"{n_reviews} reviews added, 6 cards' schedule taken from Anki (memory state: 6 Anki's FSRS state)" in result.stdout
    assert sorted(round(r[0], 2) for r in db().execute("select stability from cards")) == stabilities


def test_a_package_without_scheduling_says_so(cli, home, db, tmp_path):
    (tmp_path / "anki").mkdir()
    anki = Anki(tmp_path / "anki" / "collection.anki2", True)
    add_notes(anki.col)
    anki.study(lambda cid, n: 3)
    package = tmp_path / "shared.apkg"
    anki.col.export_anki_package(out_path=str(package), options=ExportAnkiPackageOptions(with_scheduling=False), limit=None)
    anki.col.close()
    home.mkdir(parents=True, exist_ok=True)
    (home / "settings.toml").write_text("bundled_decks = false\n", encoding="utf-8")
    result = cli("import", "--anki", str(package))
    assert result.exit_code == 0, result.output
    assert "no review history inside" in result.stdout and "Include scheduling information" in result.stdout
    assert db().execute("select count(*) from reviews").fetchone()[0] == 0


def test_import_no_progress_takes_the_notes_only(cli, home, db, tmp_path):
    anki, _marked = anki_collection_with_history(tmp_path, True)
    package = tmp_path / "studied.apkg"
    anki.col.export_anki_package(out_path=str(package), options=ExportAnkiPackageOptions(with_scheduling=True), limit=None)
    anki.col.close()
    home.mkdir(parents=True, exist_ok=True)
    (home / "settings.toml").write_text("bundled_decks = false\n", encoding="utf-8")
    result = cli("import", "--anki", str(package), "--no-progress")
    assert result.exit_code == 0, result.output
    assert "Review history" not in result.stdout
    assert db().execute("select count(*) from reviews").fetchone()[0] == 0
    assert db().execute("select count(*) from cards where state != 0 or suspended = 1").fetchone()[0] == 0
    assert db().execute("select count(*) from cards where active = 1").fetchone()[0] == 6
