from collections import Counter
from math import exp, log


def bleu(pred_seq, label_seq, k):
    pred, label = pred_seq.split(' '), label_seq.split(' ')
    bp = 1.0 if len(pred) >= len(label) else exp(1 - len(label) / len(pred))
    log_score = 0.0
    for n in range(1, k + 1):
        p_grams = Counter(zip(*[pred[i:] for i in range(n)]))
        l_grams = Counter(zip(*[label[i:] for i in range(n)]))
        clipped = sum((p_grams & l_grams).values())
        total = max(len(pred) - n + 1, 1)
        if clipped == 0:
            return 0.0
        log_score += 0.5 ** n * log(clipped / total)
    return bp * exp(log_score)
