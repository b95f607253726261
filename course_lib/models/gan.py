"""Training GANs with ``keras.Model.fit``: a custom ``train_step`` with two optimizers.

A GAN is two networks in a game, so one training step is two updates, in order:

1. **the discriminator**: generate a batch (no generator update), score the real
   and the generated batch, take the gradient of the discriminator loss with
   respect to the *discriminator's* weights only, and apply it with the
   discriminator's optimizer;
2. **the generator**: generate a batch again, score it with the (just updated)
   discriminator, take the gradient of the generator loss with respect to the
   *generator's* weights only, and apply it with the generator's optimizer.

Each network has its own optimizer (their Adam moment estimates must not mix),
every gradient is computed once and applied once (never ``train_on_batch`` inside
a ``GradientTape`` followed by a second update), and the discriminator's output
map is compared with labels of its own shape (the losses here take the logits
directly, so there are no labels to get wrong).

:class:`GAN` learns to generate images from random vectors (notebook 07);
:class:`InpaintingGAN` learns to fill holes, with the damaged image and its mask
as the generator's input, an L1 loss inside and outside the hole, and the
adversarial term on top (notebook 08). Both expose their running losses through
``keras.metrics.Mean`` trackers in :attr:`metrics`, so ``fit`` reports them and
callbacks see them, and draw their random numbers from a
``keras.random.SeedGenerator``, so a run is repeatable.

This module uses TensorFlow's ``GradientTape``: the course runs Keras on TensorFlow.
"""

from __future__ import annotations

import keras
from keras import ops

from .._validation import check_choice, check_integer, check_positive
from .gan_losses import GAN_LOSSES, discriminator_loss, generator_loss
from .inpainting import composite

__all__ = ["AdversarialModel", "GAN", "InpaintingGAN"]


class AdversarialModel(keras.Model):
    """What :class:`GAN` and :class:`InpaintingGAN` share: two networks, two optimizers, loss trackers.

    Parameters
    ----------
    generator, discriminator : keras.Model
    seed : int
        Seed of the model's ``keras.random.SeedGenerator``.
    """

    tracked = ("discriminator_loss", "generator_loss")

    def __init__(self, generator, discriminator, *, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(generator, keras.Model) or not isinstance(discriminator, keras.Model):
            raise TypeError("generator and discriminator must be keras.Model instances")
        self.generator = generator
        self.discriminator = discriminator
        self.seed_generator = keras.random.SeedGenerator(check_integer(seed, "seed", minimum=0))
        self.trackers = {name: keras.metrics.Mean(name=name) for name in self.tracked}

    def compile(self, generator_optimizer=None, discriminator_optimizer=None, *, loss: str = "non_saturating",
                **kwargs):
        """Set the two optimizers (default: Adam 2e-4, beta_1 0.5, as in DCGAN) and the loss family.

        Parameters
        ----------
        generator_optimizer, discriminator_optimizer : keras.optimizers.Optimizer
            Two *different* optimizer objects.
        loss : {"minimax", "non_saturating", "hinge", "least_squares"}
            See :mod:`course_lib.models.gan_losses`.
        """
        super().compile(**kwargs)
        self.generator_optimizer = generator_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.discriminator_optimizer = discriminator_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        if self.generator_optimizer is self.discriminator_optimizer:
            raise ValueError("generator_optimizer and discriminator_optimizer must be two different optimizers: "
                             "one optimizer would mix the two networks' moment estimates")
        self.loss_kind = check_choice(loss, "loss", GAN_LOSSES)

    @property
    def metrics(self):
        return list(self.trackers.values())

    def _record(self, **values):
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return {name: self.trackers[name].result() for name in values}

    def _apply(self, tape, loss, network, optimizer):
        gradients = tape.gradient(loss, network.trainable_weights)
        optimizer.apply_gradients(zip(gradients, network.trainable_weights))


class GAN(AdversarialModel):
    """An unconditional GAN: random vectors in, images out (DCGAN-style training).

    Parameters
    ----------
    generator : keras.Model
        ``(N, latent_dim) -> (N, H, W, C)`` images in the range the real ones use.
    discriminator : keras.Model
        ``(N, H, W, C) -> logits`` (any shape; no sigmoid).
    latent_dim : int
        Size of the random vectors, drawn from N(0, 1).
    seed : int

    Examples
    --------
    >>> gan = GAN(generator, discriminator, latent_dim=32)            # doctest: +SKIP
    >>> gan.compile(keras.optimizers.Adam(2e-4, beta_1=0.5),           # doctest: +SKIP
    ...             keras.optimizers.Adam(2e-4, beta_1=0.5))
    >>> gan.fit(real_images, batch_size=64, epochs=20)                 # doctest: +SKIP
    """

    def __init__(self, generator, discriminator, *, latent_dim: int, seed: int = 0, **kwargs):
        super().__init__(generator, discriminator, seed=seed, **kwargs)
        self.latent_dim = check_integer(latent_dim, "latent_dim", minimum=1)

    def sample_latent(self, count):
        """`count` random vectors from N(0, 1), from the model's seed generator."""
        return keras.random.normal((count, self.latent_dim), seed=self.seed_generator)

    def generate(self, count: int):
        """`count` generated images (inference mode)."""
        return self.generator(self.sample_latent(check_integer(count, "count", minimum=1)), training=False)

    def train_step(self, data):
        import tensorflow as tf

        real = data[0] if isinstance(data, (tuple, list)) else data
        batch = ops.shape(real)[0]
        with tf.GradientTape() as tape:  # 1. the discriminator, the generator held fixed
            fake = self.generator(self.sample_latent(batch), training=True)
            d_loss = discriminator_loss(self.discriminator(real, training=True),
                                        self.discriminator(fake, training=True), kind=self.loss_kind)
        self._apply(tape, d_loss, self.discriminator, self.discriminator_optimizer)
        with tf.GradientTape() as tape:  # 2. the generator, against the updated discriminator
            fake = self.generator(self.sample_latent(batch), training=True)
            g_loss = generator_loss(self.discriminator(fake, training=True), kind=self.loss_kind)
        self._apply(tape, g_loss, self.generator, self.generator_optimizer)
        return self._record(discriminator_loss=d_loss, generator_loss=g_loss)


class InpaintingGAN(AdversarialModel):
    """A hole-filling generator trained with L1 inside/outside the hole plus an adversarial term.

    Parameters
    ----------
    generator : keras.Model
        ``[damaged, hole] -> image`` (:func:`course_lib.models.inpainting_unet`).
    discriminator : keras.Model
        ``[image, hole] -> logits`` (:func:`course_lib.models.patch_discriminator`).
    hole_weight, valid_weight : float
        Weights of the mean absolute error inside the hole and outside it (Liu et
        al. use 6 and 1).
    adversarial_weight : float
        Weight of the generator's adversarial loss. 0 trains the generator on L1
        alone (and skips the discriminator), the baseline of the
        perception-distortion comparison.
    seed : int

    Notes
    -----
    ``fit`` takes batches ``(clean, hole)``: clean images and hole masks (1 =
    missing). The damaged input is ``clean * (1 - hole)``. The discriminator judges
    the *composite* (known pixels kept, hole filled), against the clean image.
    """

    tracked = ("discriminator_loss", "generator_loss", "adversarial_loss", "l1_hole", "l1_valid")

    def __init__(self, generator, discriminator, *, hole_weight: float = 6.0, valid_weight: float = 1.0,
                 adversarial_weight: float = 0.01, seed: int = 0, **kwargs):
        super().__init__(generator, discriminator, seed=seed, **kwargs)
        self.hole_weight = check_positive(hole_weight, "hole_weight", allow_zero=True)
        self.valid_weight = check_positive(valid_weight, "valid_weight", allow_zero=True)
        self.adversarial_weight = check_positive(adversarial_weight, "adversarial_weight", allow_zero=True)

    @staticmethod
    def _masked_l1(generated, clean, region):
        error = ops.abs(generated - clean) * region
        channels = ops.cast(ops.shape(clean)[-1], "float32")
        return ops.sum(error) / ops.maximum(ops.sum(region) * channels, 1.0)

    def train_step(self, data):
        import tensorflow as tf

        clean, hole = data
        clean = ops.cast(clean, "float32")
        hole = ops.cast(hole, "float32")
        damaged = clean * (1.0 - hole)
        d_loss = ops.convert_to_tensor(0.0)
        if self.adversarial_weight > 0:
            with tf.GradientTape() as tape:  # 1. the discriminator: real clean images against composites
                filled = composite(self.generator([damaged, hole], training=True), damaged, hole)
                d_loss = discriminator_loss(self.discriminator([clean, hole], training=True),
                                            self.discriminator([filled, hole], training=True), kind=self.loss_kind)
            self._apply(tape, d_loss, self.discriminator, self.discriminator_optimizer)
        with tf.GradientTape() as tape:  # 2. the generator
            generated = ops.cast(self.generator([damaged, hole], training=True), "float32")  # bfloat16 networks too
            l1_hole = self._masked_l1(generated, clean, hole)
            l1_valid = self._masked_l1(generated, clean, 1.0 - hole)
            adversarial = ops.convert_to_tensor(0.0)
            if self.adversarial_weight > 0:
                filled = composite(generated, damaged, hole)
                adversarial = generator_loss(self.discriminator([filled, hole], training=True), kind=self.loss_kind)
            g_loss = self.hole_weight * l1_hole + self.valid_weight * l1_valid + self.adversarial_weight * adversarial
        self._apply(tape, g_loss, self.generator, self.generator_optimizer)
        return self._record(discriminator_loss=d_loss, generator_loss=g_loss, adversarial_loss=adversarial,
                            l1_hole=l1_hole, l1_valid=l1_valid)

    def test_step(self, data):
        clean, hole = data
        clean = ops.cast(clean, "float32")
        hole = ops.cast(hole, "float32")
        damaged = clean * (1.0 - hole)
        generated = ops.cast(self.generator([damaged, hole], training=False), "float32")
        l1_hole = self._masked_l1(generated, clean, hole)
        l1_valid = self._masked_l1(generated, clean, 1.0 - hole)
        return self._record(l1_hole=l1_hole, l1_valid=l1_valid)
