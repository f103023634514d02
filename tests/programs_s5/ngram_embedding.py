"""NLP tutorial: word embeddings with nn.Embedding and an n-gram language model."""

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

torch.manual_seed(1)
embeds = nn.Embedding(2, 5)  # 2 words in vocab, 5 dimensional embeddings
print(embeds(torch.tensor([1], dtype=torch.long)), embeds)
sentence = "When forty winters shall besiege thy brow And dig deep trenches".split()
ngrams = [([sentence[i - j - 1] for j in range(2)], sentence[i]) for i in range(2, len(sentence))]
vocab = set(sentence)
ix = {word: i for i, word in enumerate(sorted(vocab))}


class NGramLanguageModeler(nn.Module):
    def __init__(self, vocab_size, embedding_dim, context_size):
        super().__init__()
        self.embeddings = nn.Embedding(vocab_size, embedding_dim)
        self.linear1 = nn.Linear(context_size * embedding_dim, 16)
        self.linear2 = nn.Linear(16, vocab_size)

    def forward(self, inputs):
        embeds = self.embeddings(inputs).view((1, -1))
        return F.log_softmax(self.linear2(F.relu(self.linear1(embeds))), dim=1)


losses = []
model = NGramLanguageModeler(len(vocab), 6, 2)
optimizer = optim.SGD(model.parameters(), lr=0.05)
for _epoch in range(4):
    total_loss = 0
    for context, target in ngrams:
        model.zero_grad()
        log_probs = model(torch.tensor([ix[w] for w in context], dtype=torch.long))
        loss = F.nll_loss(log_probs, torch.tensor([ix[target]], dtype=torch.long))
        loss.backward()
        optimizer.step()
        total_loss += loss.item()
    losses.append(round(total_loss, 4))
    print(f"{total_loss:.4f}", log_probs.shape, log_probs.argmax())
print(losses, model.embeddings.weight[ix["forty"]], loss.grad_fn.name())
raw_text = "We are about to study the idea of a computational process".split()
word_to_ix = {word: i for i, word in enumerate(sorted(set(raw_text)))}
data = [
    ([raw_text[i - 2], raw_text[i - 1], raw_text[i + 1], raw_text[i + 2]], raw_text[i])
    for i in range(2, len(raw_text) - 2)
]
print(data[:2])
context_vector = torch.tensor([word_to_ix[w] for w in data[0][0]], dtype=torch.long)
bag = nn.EmbeddingBag(len(word_to_ix), 3, mode="mean")
print(bag, context_vector, bag(context_vector.view(1, -1)))
