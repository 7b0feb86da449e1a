"""Hidden checks for the vocab exercise. Probes run in the learner's process; checks here decide.

Everything here is plain Python data (lists, strings, ints): the probes send back what the
learner's tokenize and Vocab return, and the checks compare it with a reference computed here.
"""

import collections

from learndl_cli.grader.api import expect, fail


# ---------------------------------------------------------------------------- probes (child side)


def probe_tokenize(mod, lines, token):
    return mod.tokenize(lines, token=token)


def probe_tokenize_default(mod, lines):
    return mod.tokenize(lines)


def probe_vocab(mod, tokens, min_freq, reserved):
    vocab = mod.Vocab(tokens, min_freq, reserved)
    n = len(vocab)
    return {"len": n, "table": [vocab.to_tokens(i) for i in range(n)]}


def probe_lookup(mod, tokens, min_freq, reserved, queries, indices):
    vocab = mod.Vocab(tokens, min_freq, reserved)
    return {
        "single": [vocab[q] for q in queries],
        "list": vocab[list(queries)],
        "tuple": vocab[tuple(queries)],
        "to_tokens_single": [vocab.to_tokens(i) for i in indices],
        "to_tokens_list": vocab.to_tokens(list(indices)),
        "unk": vocab.unk,
    }


def probe_freqs(mod, tokens, min_freq):
    vocab = mod.Vocab(tokens, min_freq)
    return [list(pair) for pair in vocab.token_freqs]


def probe_empty(mod):
    vocab = mod.Vocab()
    return {"len": len(vocab), "first": vocab.to_tokens(0), "lookup": vocab["anything"], "unk": vocab.unk}


# ---------------------------------------------------------------------------- references (parent)

WORDS = ["the", "time", "machine", "traveller", "said", "and", "of", "a", "to", "was", "in", "it", "that", "his"]


def make_corpus(rng, n_words=10):
    """Token lines with known counts: distinct counts for most words, and a few ties."""
    words = WORDS[:n_words]
    counts = {}
    for i, w in enumerate(words):
        counts[w] = max(1, 12 - i - rng.int(0, 2))
    flat = [w for w, c in counts.items() for _ in range(c)]
    keys = rng.integers(0, 10**6, (len(flat),)).tolist()
    flat = [w for _, w in sorted(zip(keys, flat))]
    lines, i = [], 0
    while i < len(flat):
        step = rng.int(2, 7)
        lines.append(flat[i:i + step])
        i += step
    return lines, collections.Counter(flat)


def ref_table(counter, min_freq=0, reserved=()):
    table = ["<unk>"] + list(reserved)
    for tok, freq in sorted(counter.items(), key=lambda kv: kv[1], reverse=True):
        if freq >= min_freq and tok not in table:
            table.append(tok)
    return table


def _is_str_list(x):
    return type(x) is list and all(type(t) is str for t in x)


def _check_table(got, counter, min_freq, reserved, what):
    """A vocabulary table: '<unk>', reserved, then the kept tokens by non-increasing count (ties in any order)."""
    expect(type(got) is dict and type(got.get("len")) is int, f"{what}: len(vocab) must be an int")
    table = got["table"]
    expect(_is_str_list(table), f"{what}: vocab.to_tokens(i) must return a token (a str) for every index i < len(vocab)")
    want = ref_table(counter, min_freq, reserved)
    head = ["<unk>"] + list(reserved)
    if table[:1] != ["<unk>"]:
        first = table[0] if table else None
        fail(f"{what}: index 0 is {first!r}, expected '<unk>': the unknown token comes first, "
             f"then the reserved tokens, then the others")
    if table[:len(head)] != head:
        fail(f"{what}: the first indices are {table[:len(head)]}, expected {head}: '<unk>' then reserved_tokens, in the order given")
    rest = table[len(head):]
    if len(set(table)) != len(table):
        dup = next(t for t in table if table.count(t) > 1)
        fail(f"{what}: {dup!r} appears twice in the vocabulary: skip a token that is already there (such as a reserved token "
             "that also occurs in the text)")
    kept = {t for t, c in counter.items() if c >= min_freq} - set(head)
    if set(rest) != kept:
        missing = sorted(kept - set(rest))
        extra = sorted(set(rest) - kept)
        at_min = sorted(t for t in missing if counter[t] == min_freq)
        if at_min and set(missing) == set(at_min) and not extra:
            fail(f"{what} with min_freq={min_freq}: left out {at_min}, seen exactly min_freq times: keep a token when freq >= min_freq")
        if extra and all(counter.get(t, 0) < min_freq for t in extra):
            fail(f"{what} with min_freq={min_freq}: kept {extra}, seen fewer than min_freq times: leave those out")
        fail(f"{what}: the vocabulary has {len(rest)} ordinary tokens, expected {len(kept)}"
             f"{'; missing ' + str(missing[:5]) if missing else ''}{'; unexpected ' + str(extra[:5]) if extra else ''}")
    freqs = [counter[t] for t in rest]
    if freqs != sorted(freqs, reverse=True):
        if freqs == sorted(freqs):
            fail(f"{what}: the tokens go from the least to the most frequent: sort by count in decreasing order (reverse=True)")
        if rest == sorted(rest):
            fail(f"{what}: the tokens are in alphabetical order: sort them by count, most frequent first")
        i = next(k for k in range(len(freqs) - 1) if freqs[k] < freqs[k + 1])
        fail(f"{what}: not in order of frequency: {rest[i]!r} (seen {freqs[i]} times) comes before {rest[i + 1]!r} "
             f"(seen {freqs[i + 1]} times); sort by count, most frequent first")
    expect(got["len"] == len(want), f"{what}: len(vocab) is {got['len']}, expected {len(want)}")


# ---------------------------------------------------------------------------- checks, in order


def test_tokenize_words(learner):
    lines = ["the time machine by h g wells", "", "i  the time traveller ", "\tfor so it will be convenient"]
    got = learner.run(probe_tokenize, lines, "word")
    want = [line.split() for line in lines]
    if got == [line.split(" ") for line in lines]:
        fail("tokenize(lines, 'word') keeps empty strings where there are several spaces: use line.split() "
             "(any run of whitespace), not line.split(' ')")
    expect(type(got) is list and all(_is_str_list(x) for x in got),
           "tokenize(lines, 'word') must return a list with one list of str tokens per line")
    expect(len(got) == len(want), f"tokenize(lines, 'word') returned {len(got)} lines, expected {len(want)} (one per line, empty ones included)")
    for i, (g, w) in enumerate(zip(got, want)):
        expect(g == w, f"tokenize(lines, 'word') line {i} ({lines[i]!r}) is {g}, expected {w}")


def test_tokenize_chars(learner):
    lines = ["the  time", "ab c", ""]
    got = learner.run(probe_tokenize, lines, "char")
    want = [list(line) for line in lines]
    if got == [line.split() for line in lines]:
        fail("tokenize(lines, 'char') split into words: with token='char' every character (spaces too) is a token, list(line)")
    expect(got == want, f"tokenize(lines, 'char') is {got}, expected {want} (every character, spaces included)")


def test_tokenize_default_is_word(learner):
    lines = ["a b  c", "d"]
    got = learner.run(probe_tokenize_default, lines)
    expect(got == [["a", "b", "c"], ["d"]], f"tokenize(lines) is {got}: the default token type is 'word'")


def test_frequency_order(learner, rng):
    lines, counter = make_corpus(rng)
    got = learner.run(probe_vocab, lines, 0, None)
    _check_table(got, counter, 0, (), "Vocab(tokens)")


def test_min_freq(learner, rng):
    lines, counter = make_corpus(rng, 12)
    min_freq = sorted(counter.values())[len(counter) // 2]
    got = learner.run(probe_vocab, lines, min_freq, None)
    _check_table(got, counter, min_freq, (), "Vocab(tokens, min_freq)")


def test_reserved_tokens(learner, rng):
    lines, counter = make_corpus(rng)
    lines = lines + [["<eos>", "the"], ["<eos>"]]
    counter = counter + collections.Counter(["<eos>", "the", "<eos>"])
    reserved = ["<pad>", "<bos>", "<eos>"]
    got = learner.run(probe_vocab, lines, 2, reserved)
    _check_table(got, counter, 2, reserved, f"Vocab(tokens, 2, {reserved})")


def test_lookup_and_to_tokens(learner, rng):
    lines, counter = make_corpus(rng)
    table = ref_table(counter, 3, ["<pad>"])
    queries = [table[2], table[-1], "zebra", table[3], "<pad>", "<unk>"]
    want_idx = [table.index(q) if q in table else 0 for q in queries]
    indices = [0, 1, 2, len(table) - 1]
    got = learner.run(probe_lookup, lines, 3, ["<pad>"], queries, indices)
    expect(got["unk"] == 0 and type(got["unk"]) is int, f"vocab.unk is {got['unk']!r}, expected 0 (the index of '<unk>')")
    head = 2  # '<unk>', '<pad>'

    def may_sit_at(i, tok):  # tokens with the same count may come in any order
        if not isinstance(i, int) or not 0 <= i < len(table):
            return False
        return tok == table[i] or (i >= head and counter.get(tok) is not None and counter.get(tok) == counter.get(table[i]))

    def index_ok(q, g, w):
        return type(g) is int and (g == w or (w >= head and may_sit_at(g, q)))

    for q, g, w in zip(queries, got["single"], want_idx):
        if q == "zebra" and g != 0:
            fail(f"vocab['zebra'] (a token not in the vocabulary) is {g!r}, expected vocab.unk = 0: use token_to_idx.get(token, self.unk)")
        expect(index_ok(q, g, w), f"vocab[{q!r}] is {g!r}, expected {w}")
    for key, what in (("list", f"vocab[{queries}]"), ("tuple", f"vocab[{tuple(queries)}]")):
        expect(type(got[key]) is list and len(got[key]) == len(queries) and got[key] == got["single"]
               and all(index_ok(q, g, w) for q, g, w in zip(queries, got[key], want_idx)),
               f"{what} is {got[key]!r}, expected the list {want_idx}: a {key} of tokens maps element by element")
    want_tok = [table[i] for i in indices]
    for key, what in (("to_tokens_single", f"vocab.to_tokens(i) for i in {indices} gives"),
                      ("to_tokens_list", f"vocab.to_tokens({indices}) is")):
        toks = got[key]
        expect(type(toks) is list and len(toks) == len(indices) and all(may_sit_at(i, t) for i, t in zip(indices, toks)),
               f"{what} {toks!r}, expected {want_tok}")


def test_flat_token_list(learner, rng):
    lines, counter = make_corpus(rng)
    flat = [t for line in lines for t in line]
    got = learner.run(probe_vocab, flat, 0, None)
    _check_table(got, counter, 0, (), "Vocab(tokens) for a flat list of tokens (not a list of lines)")


def test_token_freqs(learner, rng):
    lines, counter = make_corpus(rng, 12)
    got = learner.run(probe_freqs, lines, 4)
    expect(type(got) is list and all(len(p) == 2 for p in got), "vocab.token_freqs must be a list of (token, count) pairs")
    pairs = [tuple(p) for p in got]
    want = dict(counter)
    if dict(pairs) != want or len(pairs) != len(want):
        if set(dict(pairs)) < set(want):
            fail("vocab.token_freqs left out the tokens under min_freq: it lists every counted token with its count")
        fail(f"vocab.token_freqs has {len(pairs)} pairs, expected {len(want)} (every distinct token with its count)")
    counts = [c for _, c in pairs]
    expect(counts == sorted(counts, reverse=True), "vocab.token_freqs is not sorted by count, most frequent first")


def test_empty_vocab(learner):
    got = learner.run(probe_empty)
    expect(got["len"] == 1, f"len(Vocab()) is {got['len']}, expected 1 (only '<unk>')")
    expect(got["first"] == "<unk>", f"Vocab().to_tokens(0) is {got['first']!r}, expected '<unk>'")
    expect(got["lookup"] == 0 and got["unk"] == 0, "Vocab()['anything'] must be vocab.unk = 0")
