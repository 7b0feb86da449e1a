# expect: n-gram matches are not clipped
import math


def bleu(pred_seq, label_seq, k):
    pred_tokens, label_tokens = pred_seq.split(" "), label_seq.split(" ")
    len_pred, len_label = len(pred_tokens), len(label_tokens)
    score = math.exp(min(0, 1 - len_label / len_pred))
    for n in range(1, k + 1):
        label_grams = {" ".join(label_tokens[i:i + n]) for i in range(len_label - n + 1)}
        matches = sum(1 for i in range(len_pred - n + 1) if " ".join(pred_tokens[i:i + n]) in label_grams)
        score *= (matches / (len_pred - n + 1)) ** (0.5 ** n)
    return score
