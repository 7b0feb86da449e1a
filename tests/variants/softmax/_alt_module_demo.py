import torch


def softmax(X, dim=-1):
    X_exp = torch.exp(X - torch.amax(X, dim, keepdim=True))
    return X_exp / X_exp.sum(dim, keepdim=True)


X = torch.normal(0, 1, (2, 5))
X_prob = softmax(X)
print(X_prob, X_prob.sum(1))

if __name__ == "__main__":
    print(softmax(torch.tensor([1000., 1001.])))
