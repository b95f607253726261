"""GAN losses, written from the discriminator's *logits* (its output before any sigmoid).

A discriminator ``D`` scores an image with a logit ``l``; ``sigmoid(l)`` is its
probability that the image is real. With ``softplus(t) = log(1 + e^t)``:

- ``log D = log sigmoid(l) = -softplus(-l)`` and
- ``log(1 - D) = log sigmoid(-l) = -softplus(l)``,

which is how every loss here is computed: numerically stable for any logit,
never ``log(0)``.

The discriminator's loss (Goodfellow et al. 2014) is the binary cross-entropy of
"real" on real images and "fake" on generated ones,

    L_D = -E[log D(x)] - E[log(1 - D(G(z)))] = E[softplus(-l_real)] + E[softplus(l_fake)],

two separate terms, one per batch. (A widely copied snippet writes
``-log(D(x) + D(G(z)))``, which is not a cross-entropy at all: it is minimized by
making *both* scores large, so the discriminator learns nothing about fakes.)

The generator's loss comes in two forms:

- *minimax*, the game as written: minimize ``E[log(1 - D(G(z)))] = -E[softplus(l_fake)]``.
  Early in training ``D`` rejects fakes confidently (``l_fake`` very negative),
  where this loss is flat: its gradient vanishes and the generator learns nothing;
- *non-saturating*, what everyone uses: minimize ``-E[log D(G(z))] = E[softplus(-l_fake)]``,
  the same fixed point but a strong gradient exactly when the generator is losing.

Two alternatives train more stably in practice: *hinge*
(``L_D = E[relu(1 - l_real)] + E[relu(1 + l_fake)]``, ``L_G = -E[l_fake]``) and
*least squares* (LSGAN: ``L_D = (E[(l_real - 1)^2] + E[l_fake^2]) / 2``,
``L_G = E[(l_fake - 1)^2] / 2``).

Every function takes tensors (or arrays) of any shape, including a PatchGAN's
``(N, h, w, 1)`` map of logits, and averages over all of it.

References
----------
.. [1] I. Goodfellow et al., "Generative adversarial nets", NeurIPS 2014.
.. [2] X. Mao et al., "Least squares generative adversarial networks", ICCV 2017.
.. [3] J. H. Lim and J. C. Ye, "Geometric GAN", arXiv:1705.02894, 2017 (the hinge loss).
"""

from __future__ import annotations

from keras import ops

from .._validation import check_choice

__all__ = ["GAN_LOSSES", "discriminator_loss", "generator_loss"]

#: The loss families :func:`discriminator_loss` and :func:`generator_loss` know.
GAN_LOSSES = ("minimax", "non_saturating", "hinge", "least_squares")


def discriminator_loss(real_logits, fake_logits, *, kind: str = "non_saturating"):
    """The discriminator's loss on a batch of real and a batch of generated images.

    Parameters
    ----------
    real_logits, fake_logits : tensor
        ``D``'s logits on real and on generated images (any shape; averaged).
    kind : {"minimax", "non_saturating", "hinge", "least_squares"}
        "minimax" and "non_saturating" share the same discriminator loss, the
        cross-entropy ``E[softplus(-l_real)] + E[softplus(l_fake)]``.

    Returns
    -------
    scalar tensor

    Examples
    --------
    >>> import numpy as np
    >>> round(float(discriminator_loss(np.array([0.0]), np.array([0.0]))), 4)  # 2 log 2: D cannot tell
    1.3863
    """
    check_choice(kind, "kind", GAN_LOSSES)
    real_logits = ops.convert_to_tensor(real_logits, dtype="float32")
    fake_logits = ops.convert_to_tensor(fake_logits, dtype="float32")
    if kind == "hinge":
        return ops.mean(ops.relu(1.0 - real_logits)) + ops.mean(ops.relu(1.0 + fake_logits))
    if kind == "least_squares":
        return 0.5 * (ops.mean(ops.square(real_logits - 1.0)) + ops.mean(ops.square(fake_logits)))
    return ops.mean(ops.softplus(-real_logits)) + ops.mean(ops.softplus(fake_logits))


def generator_loss(fake_logits, *, kind: str = "non_saturating"):
    """The generator's adversarial loss on a batch of generated images.

    Parameters
    ----------
    fake_logits : tensor
        ``D``'s logits on generated images.
    kind : {"minimax", "non_saturating", "hinge", "least_squares"}

    Returns
    -------
    scalar tensor
        minimax: ``-E[softplus(l)]`` (= ``E[log(1 - D)]``); non-saturating:
        ``E[softplus(-l)]`` (= ``-E[log D]``); hinge: ``-E[l]``; least squares:
        ``E[(l - 1)^2] / 2``.
    """
    check_choice(kind, "kind", GAN_LOSSES)
    fake_logits = ops.convert_to_tensor(fake_logits, dtype="float32")
    if kind == "minimax":
        return -ops.mean(ops.softplus(fake_logits))
    if kind == "hinge":
        return -ops.mean(fake_logits)
    if kind == "least_squares":
        return 0.5 * ops.mean(ops.square(fake_logits - 1.0))
    return ops.mean(ops.softplus(-fake_logits))
