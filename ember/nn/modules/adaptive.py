"""``AdaptiveLogSoftmaxWithLoss``: the adaptive softmax of Grave et al. (2016), for big outputs.

The most frequent classes (below ``cutoffs[0]``) are scored by the head, a Linear that also gives
one logit per cluster of rarer classes; a class in cluster i gets the head's log-probability of
the cluster plus its log-probability within the cluster, from the tail's i-th small two-layer
projection (of ``in_features // div_value**(i + 1)`` hidden units).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence

import numpy as np

from ..._tensor import Tensor
from ...functions.creation import from_numpy
from ...functions.shape import cat
from .. import functional as F
from .container import ModuleList, Sequential
from .linear import Linear
from .module import Module

__all__ = ["AdaptiveLogSoftmaxWithLoss"]

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """Adaptive softmax: cheap log-probabilities for frequent classes, clusters for rare ones.

    Args:
        in_features: features of each input sample.
        n_classes: number of classes (sorted by frequency, most frequent first).
        cutoffs: increasing class indices where the head's shortlist and each cluster end.
        div_value: the tail's hidden size shrinks by this factor per cluster. Default: 4.0.
        head_bias: whether the head Linear has a bias. Default: False.
    Shape: input (N, in_features) or (in_features,); target (N,) or (); forward returns the
    named tuple (output: the targets' log-probabilities, (N,) or (); loss: their mean NLL).
    """

    in_features: int
    n_classes: int
    cutoffs: list[int]
    div_value: float
    head_bias: bool
    head: Linear
    tail: ModuleList

    def __init__(
        self,
        in_features: int,
        n_classes: int,
        cutoffs: Sequence[int],
        div_value: float = 4.0,
        head_bias: bool = False,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        cutoffs = list(cutoffs)
        if not cutoffs:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if (
            cutoffs != sorted(cutoffs)
            or cutoffs[0] <= 0
            or cutoffs[-1] > n_classes - 1
            or len(set(cutoffs)) != len(cutoffs)
            or any(int(c) != c for c in cutoffs)
        ):
            raise ValueError(
                "cutoffs should be a sequence of unique, positive integers sorted in an "
                "increasing order, where each value is between 1 and n_classes-1"
            )
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        factory = {"device": device, "dtype": dtype}
        self.head = Linear(in_features, self.head_size, bias=head_bias, **factory)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hidden = int(in_features // div_value ** (i + 1))
            size = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(
                Sequential(
                    Linear(in_features, hidden, bias=False, **factory),
                    Linear(hidden, size, bias=False, **factory),
                )
            )

    def reset_parameters(self) -> None:
        """Redraw the head's and the tail's Linear parameters as at construction."""
        self.head.reset_parameters()
        for projection in self.tail:
            for layer in projection:
                layer.reset_parameters()

    def forward(self, input_: Tensor, target_: Tensor) -> _ASMoutput:
        """The targets' log-probabilities and their mean negative log-likelihood."""
        if target_.ndim == 1:
            if input_.size(0) != target_.size(0):
                raise RuntimeError(
                    "Input and target should have the same size in the batch dimension."
                )
            if input_.ndim != 2:
                raise RuntimeError(
                    "1D target tensor expects 2D input tensors, but found inputs with size "
                    f"{input_.size()}"
                )
        elif target_.ndim == 0:
            if input_.ndim != 1:
                raise RuntimeError(
                    "0D target tensor expects 1D input tensors, but found inputs with size "
                    f"{input_.size()}"
                )
        else:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        batched = target_.ndim == 1
        input = input_ if batched else input_.unsqueeze(0)
        classes = target_._data.reshape(-1)
        if ((classes < 0) | (classes >= self.n_classes)).any():
            raise RuntimeError(
                f"Target values should be in [0, {self.n_classes - 1}], but values in range "
                f"[{classes.min()}, {classes.max()}] were found. "
            )
        if classes.dtype.kind not in "iu":
            raise RuntimeError("gather(): Expected dtype int32/int64 for index")
        classes = classes.astype(np.int64)
        # cluster 0 is the head's shortlist; cluster i > 0 is read in the head's column
        # shortlist_size + i - 1, then within the tail's i-th projection
        cluster = np.searchsorted(self.cutoffs, classes, side="right")
        column = np.where(cluster == 0, classes, self.shortlist_size + cluster - 1)
        within = input.new_zeros(classes.shape[0])
        for i in np.unique(cluster[cluster > 0]):
            picked = np.flatnonzero(cluster == i)
            rows = from_numpy(picked)
            logp = F.log_softmax(self.tail[i - 1](input.index_select(0, rows)), dim=1)
            local = from_numpy(classes[picked] - self.cutoffs[i - 1])
            within = within.index_copy(0, rows, logp.gather(1, local.unsqueeze(1)).squeeze(1))
        head_logp = F.log_softmax(self.head(input), dim=1)
        index = from_numpy(column[:, None])
        output = within + head_logp.gather(1, index).squeeze(1)
        loss = (-output).mean()
        return _ASMoutput(output if batched else output.squeeze(0), loss)

    def _get_full_log_prob(self, input: Tensor, head_output: Tensor) -> Tensor:
        """Every class's log-probability from ``input`` and the head's logits ``head_output``."""
        head_logp = F.log_softmax(head_output, dim=1)
        parts = [head_logp[:, : self.shortlist_size]]
        for i, projection in enumerate(self.tail):
            cluster_logp = F.log_softmax(projection(input), dim=1)
            parts.append(cluster_logp + head_logp[:, self.shortlist_size + i].unsqueeze(1))
        return cat(parts, 1)

    def log_prob(self, input: Tensor) -> Tensor:
        """Log-probabilities of all ``n_classes``. Shape: (N, in_features) -> (N, n_classes)."""
        return self._get_full_log_prob(input, self.head(input))

    def predict(self, input: Tensor) -> Tensor:
        """The most probable class of each row, as ``log_prob(input).argmax(dim=1)``.

        Only rows whose best head logit is a cluster's need the tail. Shape: (N, in_features)
        -> (N,).
        """
        head_output = self.head(input)
        output = head_output.argmax(dim=1)
        outside = output >= self.shortlist_size
        if bool(outside.any()):
            full = self._get_full_log_prob(input[outside], head_output[outside])
            output[outside] = full.argmax(dim=1)
        return output
