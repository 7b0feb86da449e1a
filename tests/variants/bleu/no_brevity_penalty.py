# expect: the brevity penalty is missing
# not: the brevity penalty is inverted
import collections


def bleu(pred_seq, label_seq, k):
    pred_tokens, label_tokens = pred_seq.split(" "), label_seq.split(" ")
    len_pred = len(pred_tokens)
    score = 1.0
    for n in range(1, k + 1):
        subs = collections.Counter(" ".join(label_tokens[i:i + n]) for i in range(len(label_tokens) - n + 1))
        matches = 0
        for i in range(len_pred - n + 1):
            g = " ".join(pred_tokens[i:i + n])
            if subs[g] > 0:
                matches += 1
                subs[g] -= 1
        score *= (matches / (len_pred - n + 1)) ** (0.5 ** n)
    return score
