# expect: the brevity penalty is inverted
# not: the brevity penalty is missing
import collections
import math


def bleu(pred_seq, label_seq, k):
    pred_tokens, label_tokens = pred_seq.split(" "), label_seq.split(" ")
    len_pred, len_label = len(pred_tokens), len(label_tokens)
    score = math.exp(min(0, 1 - len_pred / len_label))
    for n in range(1, k + 1):
        subs = collections.Counter(" ".join(label_tokens[i:i + n]) for i in range(len_label - n + 1))
        matches = 0
        for i in range(len_pred - n + 1):
            g = " ".join(pred_tokens[i:i + n])
            if subs[g] > 0:
                matches += 1
                subs[g] -= 1
        score *= (matches / (len_pred - n + 1)) ** (0.5 ** n)
    return score
