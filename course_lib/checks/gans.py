"""Exercises of notebook 07 (GANs).

* ``discriminator_loss``: the discriminator's binary cross-entropy written from its
  logits, ``mean(softplus(-l_real)) + mean(softplus(l_fake))``; checked against
  :func:`course_lib.models.discriminator_loss`. Recognizes the widely copied
  ``-log(D(x) + D(G(z)))``, swapped labels, fakes labelled real, a sigmoid applied to
  the logits first (probabilities where logits are expected), a sum instead of a mean,
  one mean over both batches together, a flipped sign (a sigmoid too many is caught
  however it is written: Keras' TensorFlow backend would otherwise undo ``keras.ops.sigmoid``
  before a ``from_logits=True`` cross-entropy), ``log(sigmoid(l))`` that
  overflows to infinity for large logits, and a probability clipped before the log;
* ``generator_loss``: the non-saturating generator loss ``mean(softplus(-l_fake))``;
  checked against :func:`course_lib.models.generator_loss`. Recognizes the minimax
  form, the discriminator's fake term, a flipped sign, a sigmoid too many, a sum, and
  the same overflow and clipping;
* ``gan_train_step``: one repaired training step of an inpainting GAN,
  ``train_step(generator, discriminator, g_optimizer, d_optimizer, damaged, hole, clean,
  adversarial_weight=0.01)``, run on the library's tiny seeded networks (a partial
  convolution U-Net and a PatchGAN) and compared with one step of
  :class:`course_lib.models.InpaintingGAN` on copies of them. Checked, in this order:
  the two losses are returned; the generator gets the damaged image and the hole mask
  (not noise); no network is compiled or trained with ``train_on_batch``; each network
  is updated exactly once, by its own optimizer; the discriminator's loss; the
  generator's loss; the weights of both networks after the step. Errors that the usual
  bugs raise (a network trained with ``train_on_batch`` without ``compile``, one
  optimizer for both networks, ``(N, 1)`` labels for a PatchGAN's ``(N, h, w, 1)`` map)
  get an explanation too.

TensorFlow and Keras are imported only when a check runs.
"""

from __future__ import annotations

import contextlib
import functools
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._framework import Case, Exercise, _compare_values, _is_number, check, exercise, register
from .cnn import _numpy_result

__all__ = ["check_discriminator_loss", "check_generator_loss", "check_gan_train_step"]

NOTEBOOK = "07_gans"


def _softplus(values):
    return np.logaddexp(0.0, np.asarray(values, dtype=np.float64))


def _sigmoid(values):
    return np.exp(-_softplus(-np.asarray(values, dtype=np.float64)))


def _close(got: float, value: float) -> bool:
    return bool(np.isfinite(value) and np.isclose(got, value, rtol=1e-4, atol=1e-6))


_OVERFLOW = (
    "Your loss is infinite where the discriminator is very sure: log(sigmoid(l)) and log(1 - sigmoid(l)) "
    "become log(0) = -inf once |l| is large (in float32, sigmoid(20) is already exactly 1.0 and sigmoid(-104) "
    "exactly 0). Write them with softplus, which never overflows: log(sigmoid(l)) = -softplus(-l) and "
    "log(1 - sigmoid(l)) = -softplus(l)."
)
_NOT_A_NUMBER = (
    "The result is NaN, the logarithm of a negative number: the inputs are logits, any real number, not "
    "probabilities (D's probability is sigmoid(l)). Better still, write the logs with softplus of the logits."
)
_CLIPPED = (
    "Your loss is right for moderate logits but not for these large ones: a probability clipped, or an epsilon "
    "added, before the log caps each term near -log(epsilon), while the true loss keeps growing like |l|. "
    "Use softplus on the logits instead: log(sigmoid(l)) = -softplus(-l), log(1 - sigmoid(l)) = -softplus(l)."
)
_DOUBLE_SIGMOID = (
    "A sigmoid too many: the inputs are already logits, and softplus (like a cross-entropy with "
    "from_logits=True) applies the sigmoid itself. Squeezing the logits into (0, 1) first makes every loss "
    "term nearly the same, whatever the discriminator says."
)


@contextlib.contextmanager
def _logits_taken_at_their_word():
    """Inside: a Keras cross-entropy with ``from_logits=True`` treats its input as logits, whatever made it.

    Keras' TensorFlow backend looks at where a cross-entropy's input came from: when it is
    the output of a sigmoid (``keras.ops.sigmoid`` marks its result, and a ``Sigmoid`` op is
    recognized in a graph), ``from_logits=True`` quietly uses the sigmoid's input instead,
    so that a sigmoid too many gives the right number. It gives the wrong one on the JAX
    and PyTorch backends, and with ``tf.nn.sigmoid_cross_entropy_with_logits``. While a
    check runs the learner's loss, that rescue is off for ``from_logits=True`` (and kept
    for ``from_logits=False``, where it only makes a right answer numerically stable), so a
    double sigmoid gives its true, wrong value however it is written.
    """
    try:
        from keras.src.backend.tensorflow import nn as backend_nn
    except ImportError:  # another backend or another Keras: nothing to undo
        yield
        return
    original = getattr(backend_nn, "_get_logits", None)
    if original is None:
        yield
        return

    def literal_logits(output, from_logits, op_type, fn_name):
        if from_logits:
            return output, True
        return original(output, from_logits, op_type, fn_name)

    backend_nn._get_logits = literal_logits
    try:
        yield
    finally:
        backend_nn._get_logits = original


def _without_sigmoid_rescue(learner_function):
    """The learner's loss, run with :func:`_logits_taken_at_their_word`."""
    if not callable(learner_function):
        return learner_function

    @functools.wraps(learner_function)
    def run(*args, **kwargs):
        with _logits_taken_at_their_word(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Keras' "received from_logits=True ... Sigmoid" warning
            return learner_function(*args, **kwargs)

    return run


def _has_large_logits(case) -> bool:
    return any(np.max(np.abs(np.asarray(value, dtype=np.float64))) > 30 for value in case.args)


def _loss_compare(key: str, mistakes_of):
    """A ``compare`` for a scalar loss: the framework's verdict, then the typical mistake it matches."""

    def compare(got, expected, case):
        problem = _compare_values(got, expected, exercise(key))
        if problem is None:
            return None
        message = problem[1]
        if not _is_number(got):
            return message
        value = float(got)
        if np.isnan(value):
            return f"{message} {_NOT_A_NUMBER}"
        if np.isinf(value):
            return f"{message} {_OVERFLOW if _has_large_logits(case) else _NOT_A_NUMBER}"
        for mistake, explanation in mistakes_of(*case.args):
            if _close(value, mistake):
                return f"{message} {explanation}"
        if _has_large_logits(case):  # the earlier cases, with moderate logits, were right
            return f"{message} {_CLIPPED}"
        return message

    return compare


# --------------------------------------------------------------------------------------
# discriminator_loss
# --------------------------------------------------------------------------------------


def _discriminator_loss_reference(real_logits, fake_logits):
    from ..models.gan_losses import discriminator_loss

    return float(discriminator_loss(real_logits, fake_logits))


def _logits(rng, shape, mean=0.0, spread=2.0):
    return rng.normal(mean, spread, shape).astype(np.float32)


def _discriminator_loss_cases():
    rng = np.random.default_rng(71)
    return [
        Case((_logits(rng, (8, 1)), _logits(rng, (8, 1))),
             label="8 real and 8 fake logits, shape (8, 1), drawn from N(0, 2^2)"),
        Case((_logits(rng, (2, 3, 3, 1), 0.5), _logits(rng, (2, 3, 3, 1), -0.5)),
             label="a PatchGAN's maps of logits, shape (2, 3, 3, 1) each: average over every patch"),
        Case((_logits(rng, (6, 1), 1.0), _logits(rng, (10, 1), -1.0)),
             label="6 real and 10 fake logits: batches of different sizes (each term is a mean over its own batch)"),
        Case((np.array([[40.0], [120.0], [1000.0], [-3.0], [0.5]], np.float32),
              np.array([[-1000.0], [-60.0], [45.0], [300.0], [2.0]], np.float32)),
             label="a very sure discriminator: logits as large as +-1000 (sigmoid(45) is exactly 1.0, even in float64)"),
    ]


def _discriminator_loss_mistakes(real_logits, fake_logits):
    """(value, explanation) of the usual wrong discriminator losses on these logits."""
    real = np.asarray(real_logits, dtype=np.float64)
    fake = np.asarray(fake_logits, dtype=np.float64)
    mistakes = []
    if real.shape == fake.shape:
        with np.errstate(all="ignore"):
            mistakes.append((
                -np.mean(np.log(_sigmoid(real) + _sigmoid(fake))),
                "That is -log(D(x) + D(G(z))), the widely copied formula. It is not a cross-entropy: it is smallest "
                "when D calls the fakes real too, so D learns nothing about fakes. The loss has two separate terms, "
                "one per batch: -mean(log D(x)) - mean(log(1 - D(G(z)))).",
            ))
    correct_real, correct_fake = np.mean(_softplus(-real)), np.mean(_softplus(fake))
    mistakes += [
        (np.mean(_softplus(real)) + np.mean(_softplus(-fake)),
         "The labels are swapped: that is the loss of a discriminator that calls real images fake and fakes real. "
         "Real images have label 1, the term -log D(x) = softplus(-l_real); fakes label 0, the term "
         "-log(1 - D(G(z))) = softplus(l_fake)."),
        (correct_real + np.mean(_softplus(-fake)),
         "The fakes are labelled real too: their term must be -log(1 - D(G(z))) = softplus(l_fake), "
         "not -log D(G(z)) = softplus(-l_fake)."),
        (np.mean(_softplus(-_sigmoid(real))) + np.mean(_softplus(_sigmoid(fake))), _DOUBLE_SIGMOID),
        (np.sum(_softplus(-real)) + np.sum(_softplus(fake)),
         "That is the sum over the batches: take the mean of each term (keras.ops.mean), so that the loss does "
         "not grow with the batch size."),
        ((np.sum(_softplus(-real)) + np.sum(_softplus(fake))) / (real.size + fake.size),
         "That is one mean over the real and the fake logits together (what a cross-entropy of the concatenated "
         "batch gives). The discriminator's loss is the sum of two means, one per batch."),
        (-(correct_real + correct_fake),
         "The sign is flipped: D maximizes log D(x) + log(1 - D(G(z))), so its loss, to minimize, is the "
         "negative, mean(softplus(-l_real)) + mean(softplus(l_fake)), which is never negative."),
        (correct_real, "That is the real images' term alone: add the fakes' term, mean(softplus(l_fake))."),
        (correct_fake, "That is the fakes' term alone: add the real images' term, mean(softplus(-l_real))."),
    ]
    return mistakes


register(Exercise(
    key="discriminator_loss",
    notebook=NOTEBOOK,
    function_name="discriminator_loss",
    reference=_discriminator_loss_reference,
    cases=_discriminator_loss_cases,
    hints=[
        "It is a binary cross-entropy with two separate terms, each a mean over its own batch: real images should "
        "get label 1, -mean(log D(x)), and generated ones label 0, -mean(log(1 - D(G(z)))), with D = sigmoid(logit).",
        "Do not take the log of a sigmoid: for large logits it is log(0) = -inf. Use the identities "
        "log(sigmoid(l)) = -softplus(-l) and log(1 - sigmoid(l)) = -softplus(l), with keras.ops.softplus.",
        "`return keras.ops.mean(keras.ops.softplus(-real_logits)) + keras.ops.mean(keras.ops.softplus(fake_logits))`",
    ],
    rtol=1e-5,
    atol=1e-5,
    compare=_loss_compare("discriminator_loss", _discriminator_loss_mistakes),
))


def check_discriminator_loss(learner_function):
    """Check ``discriminator_loss(real_logits, fake_logits)``: the discriminator's cross-entropy from logits."""
    return check("discriminator_loss", _numpy_result(_without_sigmoid_rescue(learner_function)))


# --------------------------------------------------------------------------------------
# generator_loss
# --------------------------------------------------------------------------------------


def _generator_loss_reference(fake_logits):
    from ..models.gan_losses import generator_loss

    return float(generator_loss(fake_logits, kind="non_saturating"))


def _generator_loss_cases():
    rng = np.random.default_rng(72)
    return [
        Case((_logits(rng, (8, 1)),), label="8 fake logits, shape (8, 1), drawn from N(0, 2^2)"),
        Case((_logits(rng, (2, 3, 3, 1), -1.0),), label="a PatchGAN's map of logits, shape (2, 3, 3, 1)"),
        Case((np.array([[-1000.0], [-150.0], [-60.0], [-4.0], [0.5], [3.0]], np.float32),),
             label="a discriminator that rejects the fakes with confidence, as early in training: logits down "
                   "to -1000 (sigmoid(-1000) is exactly 0, even in float64)"),
    ]


def _generator_loss_mistakes(fake_logits):
    fake = np.asarray(fake_logits, dtype=np.float64)
    return [
        (-np.mean(_softplus(fake)),
         "That is the minimax loss, E[log(1 - D(G(z)))] = -mean(softplus(l_fake)): the game as written, which "
         "saturates. When D rejects the fakes (l_fake very negative) its gradient vanishes and the generator "
         "learns nothing. The non-saturating loss is -E[log D(G(z))] = mean(softplus(-l_fake))."),
        (np.mean(_softplus(fake)),
         "That is -E[log(1 - D(G(z)))], the discriminator's term for the fakes: minimizing it teaches the generator "
         "to look fake. The generator wants its fakes called real: -E[log D(G(z))] = mean(softplus(-l_fake))."),
        (-np.mean(_softplus(-fake)),
         "The sign is flipped: that is E[log D(G(z))], which the generator wants to be large. Its loss, to "
         "minimize, is the negative: mean(softplus(-l_fake))."),
        (np.mean(_softplus(-_sigmoid(fake))), _DOUBLE_SIGMOID),
        (np.sum(_softplus(-fake)),
         "That is the sum over the batch: take the mean (keras.ops.mean), so that the loss does not grow with the "
         "batch size."),
    ]


register(Exercise(
    key="generator_loss",
    notebook=NOTEBOOK,
    function_name="generator_loss",
    reference=_generator_loss_reference,
    cases=_generator_loss_cases,
    hints=[
        "The non-saturating loss asks D to call the fakes real: it is the cross-entropy with label 1 on the "
        "generated images, -mean(log D(G(z))), with D = sigmoid(logit). (The minimax form, mean(log(1 - D(G(z)))), "
        "is the one that saturates.)",
        "Write -log(sigmoid(l)) as softplus(-l) (keras.ops.softplus): it is the same number, and finite for "
        "every logit.",
        "`return keras.ops.mean(keras.ops.softplus(-fake_logits))`",
    ],
    rtol=1e-5,
    atol=1e-5,
    compare=_loss_compare("generator_loss", _generator_loss_mistakes),
))


def check_generator_loss(learner_function):
    """Check ``generator_loss(fake_logits)``: the non-saturating generator loss from logits."""
    return check("generator_loss", _numpy_result(_without_sigmoid_rescue(learner_function)))


# --------------------------------------------------------------------------------------
# gan_train_step
# --------------------------------------------------------------------------------------

#: Learning rates of the check's two SGD optimizers; different, so that swapping them shows.
GENERATOR_LEARNING_RATE = 0.1
DISCRIMINATOR_LEARNING_RATE = 0.5
#: InpaintingGAN's weights of the L1 inside and outside the hole, and its default adversarial weight.
HOLE_WEIGHT, VALID_WEIGHT, DEFAULT_ADVERSARIAL_WEIGHT = 6.0, 1.0, 0.01


@dataclass(frozen=True)
class StepSetup:
    """A recipe for one test of ``train_step``: networks, optimizers and a batch, all built from seeds."""

    seed: int
    batch: int
    size: int
    adversarial_weight: float | None = None  # None: not passed, the learner's default (0.01) applies

    def __repr__(self) -> str:
        return f"StepSetup(seed={self.seed}, batch={self.batch}, size={self.size})"


@dataclass
class StepOutcome:
    """What one call of a ``train_step`` did."""

    returned: Any
    generator_weights: list
    discriminator_weights: list
    generator_steps: int
    discriminator_steps: int
    generator_inputs: list | None  # the NumPy inputs of each generator call; None when not seen (tf.function)
    compiled: list  # names of the networks compiled during the step


class _CallLog:
    """A plain holder (Keras does not track it) for what the recording generator saw."""

    def __init__(self):
        self.calls = []
        self.seen_all = True


def _recording_model(inner, log):
    """The generator, wrapped so that each eager call records its inputs (same weights, same outputs)."""
    import keras

    class RecordingGenerator(keras.Model):
        def __init__(self):
            super().__init__(name="generator")
            self.network = inner

        def call(self, inputs, training=None):
            parts = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
            if not any(isinstance(part, keras.KerasTensor) for part in parts):  # not Keras building the model
                try:
                    log.calls.append([np.array(part) for part in parts])
                except Exception:  # symbolic tensors, inside a tf.function: nothing to record
                    log.seen_all = False
            return self.network(inputs, training=training)

    return RecordingGenerator()


def _batch(setup: StepSetup):
    rng = np.random.default_rng(setup.seed)
    shape = (setup.batch, setup.size, setup.size, 1)
    clean = rng.random(shape).astype(np.float32)
    hole = np.zeros(shape, np.float32)
    for index in range(setup.batch):
        height, width = rng.integers(setup.size // 4, setup.size // 2 + 1, 2)
        top, left = rng.integers(0, setup.size - height + 1), rng.integers(0, setup.size - width + 1)
        hole[index, top:top + height, left:left + width] = 1.0
    damaged = clean * (1.0 - hole)
    return damaged, hole, clean


def _networks(setup: StepSetup):
    """The library's tiny seeded inpainting networks and two fresh SGD optimizers."""
    import keras

    from .. import models

    generator = models.inpainting_unet(channels=1, width=4, levels=2, seed=setup.seed)
    discriminator = models.patch_discriminator(channels=1, width=4, layers=2, seed=setup.seed + 1)
    return (generator, discriminator, keras.optimizers.SGD(GENERATOR_LEARNING_RATE),
            keras.optimizers.SGD(DISCRIMINATOR_LEARNING_RATE))


def _adversarial_weight(setup: StepSetup) -> float:
    return DEFAULT_ADVERSARIAL_WEIGHT if setup.adversarial_weight is None else setup.adversarial_weight


def _run_step(train_step, setup: StepSetup, *, record: bool = True) -> StepOutcome:
    from keras import ops

    generator, discriminator, g_optimizer, d_optimizer = _networks(setup)
    damaged, hole, clean = (ops.convert_to_tensor(array) for array in _batch(setup))  # as fit gives them
    log = _CallLog()
    given_generator = _recording_model(generator, log) if record else generator
    keywords = {} if setup.adversarial_weight is None else {"adversarial_weight": setup.adversarial_weight}
    returned = train_step(given_generator, discriminator, g_optimizer, d_optimizer, damaged, hole, clean, **keywords)
    compiled = [name for name, network in (("generator", given_generator), ("discriminator", discriminator))
                if getattr(network, "compiled", False)]
    return StepOutcome(
        returned=returned,
        generator_weights=[np.array(weight) for weight in generator.get_weights()],
        discriminator_weights=[np.array(weight) for weight in discriminator.get_weights()],
        generator_steps=int(np.asarray(g_optimizer.iterations)),
        discriminator_steps=int(np.asarray(d_optimizer.iterations)),
        generator_inputs=log.calls if record and log.seen_all else None,
        compiled=compiled,
    )


def library_train_step(generator, discriminator, g_optimizer, d_optimizer, damaged, hole, clean,
                       adversarial_weight=DEFAULT_ADVERSARIAL_WEIGHT):
    """One step of :class:`course_lib.models.InpaintingGAN` (the reference), returning ``(d_loss, g_loss)``."""
    from ..models import InpaintingGAN

    gan = InpaintingGAN(generator, discriminator, hole_weight=HOLE_WEIGHT, valid_weight=VALID_WEIGHT,
                        adversarial_weight=adversarial_weight)
    gan.compile(g_optimizer, d_optimizer)
    losses = gan.train_step((clean, hole))
    return losses["discriminator_loss"], losses["generator_loss"]


def _train_step_reference(setup: StepSetup) -> StepOutcome:
    return _run_step(library_train_step, setup, record=False)


def _train_step_cases():
    return [
        Case((StepSetup(seed=73, batch=3, size=16, adversarial_weight=1.0),),
             label="3 random gray 16x16 images with rectangular holes; the library's tiny U-Net generator and "
                   f"PatchGAN discriminator (a 4x4 map of logits per image); SGD optimizers (g: {GENERATOR_LEARNING_RATE}, "
                   f"d: {DISCRIMINATOR_LEARNING_RATE}); adversarial_weight=1.0"),
        Case((StepSetup(seed=74, batch=4, size=16),),
             label="4 other images and networks, adversarial_weight not given (the default, 0.01)"),
    ]


def _pair_of_losses(returned):
    """``(d_loss, g_loss)`` as floats, or a message saying what is wrong with what was returned."""
    if not isinstance(returned, (tuple, list)) or len(returned) != 2:
        shown = type(returned).__name__ if not isinstance(returned, (tuple, list)) else f"{len(returned)} values"
        return None, f"train_step should return the two losses, (d_loss, g_loss); it returned {shown}."
    values = []
    for name, value in zip(("d_loss", "g_loss"), returned):
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            return None, f"{name} should be a number; got {type(value).__name__}."
        if array.size != 1:
            return None, (f"{name} should be one number, a mean over the batch; got an array of shape {array.shape} "
                          "(a Keras loss function such as keras.losses.binary_crossentropy returns one value per "
                          "sample: average it).")
        values.append(float(array.reshape(())))
    return tuple(values), None


def _generator_input_problem(inputs, setup: StepSetup):
    if inputs is None:  # run inside a tf.function: the inputs were not seen, the values will tell
        return None
    if not inputs:
        return "train_step never called the generator: it must fill the holes, generator([damaged, hole])."
    damaged, hole, clean = _batch(setup)
    for call in inputs:
        if len(call) != 2 or call[0].shape != damaged.shape:
            return "The generator takes two inputs, [damaged, hole]: the damaged images and their hole masks."
        image, mask = call
        if not np.allclose(image, damaged, atol=1e-6):
            if np.allclose(image, clean, atol=1e-6):
                return ("The generator got the clean images: it would learn to copy its input, and in use it only "
                        "ever sees damaged ones. Give it the damaged images, generator([damaged, hole]).")
            return ("The generator got something other than the damaged images (random noise?). In inpainting the "
                    "generator's input is the damaged image and its hole mask, generator([damaged, hole]): the known "
                    "pixels around the hole are what it must continue. Noise in would make it invent a whole new "
                    "image, unrelated to the one it should repair.")
        if np.allclose(mask, 1.0 - hole):
            return ("The generator got the valid mask (1 = known pixel); the course's networks take the hole mask, "
                    "1 = missing, as given: generator([damaged, hole]).")
        if not np.allclose(mask, hole):
            return "The generator's second input must be the hole mask, `hole`, as given."
    return None


def _steps_problem(outcome: StepOutcome):
    if outcome.compiled:
        names = " and ".join(outcome.compiled)
        return (f"train_step compiled the {names} (to call train_on_batch or fit?). That trains the network a second "
                "time, with another loss and another optimizer: each network must be updated exactly once per step, "
                "by apply_gradients of its own optimizer, with the gradient its tape computed.")
    d_steps, g_steps = outcome.discriminator_steps, outcome.generator_steps
    if (d_steps, g_steps) in ((2, 0), (0, 2)):
        return ("One optimizer updated both networks (d_optimizer made {} steps, g_optimizer {}). Each network needs "
                "its own optimizer: Adam keeps moment estimates per weight and a step count, which must not mix, "
                "and the two networks often need different learning rates.".format(d_steps, g_steps))
    for name, steps, optimizer in (("discriminator", d_steps, "d_optimizer"), ("generator", g_steps, "g_optimizer")):
        if steps > 1:
            return (f"The {name} was updated {steps} times ({optimizer} made {steps} steps). One training step "
                    f"updates each network once: no train_on_batch inside the tape followed by apply_gradients, "
                    "and apply each gradient once.")
        if steps == 0:
            return (f"The {name} was never updated by {optimizer}: take the gradient of its loss with respect to "
                    f"{name}.trainable_weights and apply it with {optimizer}.apply_gradients.")
    return None


def _masked_l1(image, clean, region):
    return float(np.sum(np.abs(image - clean) * region) / max(float(np.sum(region)) * clean.shape[-1], 1.0))


def _step_mistakes(setup: StepSetup):
    """The usual wrong d_loss and g_loss values on this setup: two lists of (value, explanation)."""
    from .. import models

    generator, discriminator, g_optimizer, d_optimizer = _networks(setup)
    damaged, hole, clean = _batch(setup)
    weight = _adversarial_weight(setup)
    generated = np.array(generator([damaged, hole], training=True), dtype=np.float64)
    filled = hole * generated + (1.0 - hole) * damaged

    def logits(image):
        return np.array(discriminator([image.astype(np.float32), hole], training=True), dtype=np.float64)

    real, fake, fake_raw = logits(clean), logits(filled), logits(generated)
    d_mistakes = _discriminator_loss_mistakes(real, fake) + [
        (np.mean(_softplus(-real)) + np.mean(_softplus(fake_raw)),
         "That is the loss for D scoring the generator's raw output. Score the filled images, "
         "models.composite(generated, damaged, hole): the known pixels kept, the generated ones only in the hole, "
         "as the discriminator will see them in use."),
        (np.mean(_softplus(-real.mean(axis=(1, 2)))) + np.mean(_softplus(fake.mean(axis=(1, 2)))),
         "That is the cross-entropy of each map's average logit. A PatchGAN judges every patch: compare its whole "
         "(N, h, w, 1) map of logits with labels of the same shape, and average the per-patch losses."),
    ]
    library_train_step(generator, discriminator, g_optimizer, d_optimizer, damaged, hole, clean,
                       adversarial_weight=weight)  # updates the discriminator (and the generator)
    fake_after, fake_raw_after = logits(filled), logits(generated)
    reconstruction = HOLE_WEIGHT * _masked_l1(generated, clean, hole) + VALID_WEIGHT * _masked_l1(
        generated, clean, 1.0 - hole)
    non_saturating = np.mean(_softplus(-fake_after))
    g_mistakes = [
        (reconstruction - weight * np.mean(_softplus(fake_after)),
         "Its adversarial term is the minimax loss, mean(log(1 - D(G(z)))): use the non-saturating one, "
         "models.generator_loss(fake_logits) = mean(softplus(-l_fake))."),
        (reconstruction + weight * np.mean(_softplus(fake_after)),
         "Its adversarial term labels the fakes fake (the discriminator's term): the generator wants them called "
         "real, models.generator_loss(fake_logits)."),
        (reconstruction + weight * np.mean(_softplus(-fake)),
         "That is the generator's loss against the discriminator *before* its update (one tape for both networks). "
         "This step updates D first, then generates again and scores the fakes with the updated D, as "
         "InpaintingGAN does."),
        (reconstruction + weight * np.mean(_softplus(-fake_raw_after)),
         "Its adversarial term scores the generator's raw output: score the filled images, "
         "models.composite(generated, damaged, hole)."),
        (HOLE_WEIGHT * _masked_l1(filled, clean, hole) + weight * non_saturating,
         "Its reconstruction loss is computed on the filled image, which equals the clean image outside the hole: "
         "the L1 outside the hole vanishes. Compute reconstruction_loss on the generator's raw output."),
        (weight * non_saturating, "That is the adversarial term alone: add reconstruction_loss(generated, clean, hole)."),
        (reconstruction, "That is the reconstruction loss alone: add adversarial_weight times the generator's "
                         "adversarial loss."),
        (float(np.mean(np.abs(generated - clean))) + weight * non_saturating,
         "Its reconstruction term is a plain L1 over the whole image: use reconstruction_loss(generated, clean, hole) "
         "(6 x the L1 inside the hole + 1 x outside it)."),
    ]
    if weight != 1.0:
        g_mistakes.append((reconstruction + non_saturating,
                           "The adversarial term is not weighted: multiply it by adversarial_weight."))
    return d_mistakes, g_mistakes


def _weights_problem(name, got_weights, expected_weights, before_weights, learning_rate, other_rate):
    if all(np.allclose(got, expected, rtol=1e-4, atol=1e-5) for got, expected in zip(got_weights, expected_weights)):
        return None
    scaled = [before + (expected - before) * other_rate / learning_rate
              for before, expected in zip(before_weights, expected_weights)]
    if all(np.allclose(got, value, rtol=1e-4, atol=1e-5) for got, value in zip(got_weights, scaled)):
        return (f"The {name} was updated with the other network's optimizer (its step has the other learning rate): "
                "the discriminator's gradient goes to d_optimizer, the generator's to g_optimizer.")
    if name == "discriminator":
        return ("d_loss is right, but the discriminator's weights after the step are not one step of d_optimizer "
                "on d_loss: take tape.gradient(d_loss, discriminator.trainable_weights) and apply it once with "
                "d_optimizer.apply_gradients.")
    return ("g_loss is right, but the generator's weights after the step are not one step of g_optimizer on "
            "g_loss: compute g_loss inside its own tape (generate again after the discriminator's step), take "
            "tape.gradient(g_loss, generator.trainable_weights), and make sure the discriminator's step did not change "
            "the generator (its gradient is taken with respect to discriminator.trainable_weights only).")


def _train_step_compare(got: StepOutcome, expected: StepOutcome, case):
    setup = case.args[0]
    losses, problem = _pair_of_losses(got.returned)
    if problem:
        return problem
    problem = _generator_input_problem(got.generator_inputs, setup) or _steps_problem(got)
    if problem:
        return problem
    expected_losses, _ = _pair_of_losses(expected.returned)
    generator, discriminator, _, _ = _networks(setup)  # as they were before the step
    # In the order of the step: the discriminator's loss and update, then the generator's.
    return (_loss_problem(0, losses, expected_losses, setup)
            or _weights_problem("discriminator", got.discriminator_weights, expected.discriminator_weights,
                                discriminator.get_weights(), DISCRIMINATOR_LEARNING_RATE, GENERATOR_LEARNING_RATE)
            or _loss_problem(1, losses, expected_losses, setup)
            or _weights_problem("generator", got.generator_weights, expected.generator_weights,
                                generator.get_weights(), GENERATOR_LEARNING_RATE, DISCRIMINATOR_LEARNING_RATE))


def _loss_problem(index, losses, expected_losses, setup):
    if np.isclose(losses[index], expected_losses[index], rtol=1e-4, atol=1e-6):
        return None
    name = ("d_loss", "g_loss")[index]
    message = f"{name} is {losses[index]:.6g}, expected {expected_losses[index]:.6g}."
    if not np.isfinite(losses[index]):
        return f"{message} {_OVERFLOW}"
    for value, explanation in _step_mistakes(setup)[index]:
        if _close(losses[index], value):
            return f"{message} {explanation}"
    return message


def _train_step_error(error, case):
    text = str(error)
    if "compile()" in text:
        return ("You trained a network with train_on_batch (or fit) inside train_step. That is an update of its own, "
                "outside the tape; the step must update each network exactly once, with apply_gradients of its own "
                "optimizer, from the gradient its tape computed.")
    if "originally built with" in text or "Unknown variable" in text:
        return ("One optimizer for both networks: Keras 3 refuses it, because an optimizer keeps state for the "
                "weights it was built with (Adam's moment estimates). Use d_optimizer for the discriminator's weights "
                "and g_optimizer for the generator's.")
    if any(words in text for words in ("same rank", "Incompatible shapes", "broadcast", "not compatible")):
        return ("The discriminator is a PatchGAN: it returns a map of logits, shape (N, h, w, 1), one per patch, "
                "not one (N, 1) score per image. Labels of shape (N, 1) do not fit it (Keras refuses them; other "
                "libraries broadcast them silently and pair the wrong numbers). Give a loss labels of the map's own "
                "shape (keras.ops.ones_like(logits)), or use models.discriminator_loss and models.generator_loss, "
                "which take the logits directly.")
    if "expects 2" in text and "input" in text:
        return "The generator takes two inputs, [damaged, hole]: the damaged images and their hole masks."
    return None


def _train_step_on_networks(learner_function):
    """The learner's ``train_step`` as the checks call it: on a :class:`StepSetup`, returning a :class:`StepOutcome`."""
    if not callable(learner_function):
        return learner_function

    def run(setup):
        return _run_step(learner_function, setup)

    run.__name__ = getattr(learner_function, "__name__", "train_step")
    return run


register(Exercise(
    key="gan_train_step",
    notebook=NOTEBOOK,
    function_name="train_step",
    reference=_train_step_reference,
    cases=_train_step_cases,
    hints=[
        "Two updates, in order, each in its own tf.GradientTape: first the discriminator (fill the holes with "
        "generator([damaged, hole]) and models.composite, score clean and filled images, d_loss = "
        "models.discriminator_loss(real_logits, fake_logits)), then the generator (generate again, g_loss = "
        "reconstruction_loss(generated, clean, hole) + adversarial_weight * models.generator_loss(fake_logits)).",
        "After each tape: `gradients = tape.gradient(d_loss, discriminator.trainable_weights)` and "
        "`d_optimizer.apply_gradients(zip(gradients, discriminator.trainable_weights))`; the same for the generator "
        "with g_optimizer. No compile, no train_on_batch, no labels (the library's losses take the logits), and "
        "`return d_loss, g_loss`.",
        "The generator's tape: `generated = generator([damaged, hole], training=True)`, `filled = "
        "models.composite(generated, damaged, hole)`, `fake_logits = discriminator([filled, hole], training=True)`, "
        "`g_loss = reconstruction_loss(generated, clean, hole) + adversarial_weight * "
        "models.generator_loss(fake_logits)`. The discriminator's is the same with `real_logits = "
        "discriminator([clean, hole], training=True)` and the discriminator loss.",
    ],
    compare=_train_step_compare,
    explain_error=_train_step_error,
))


def check_gan_train_step(learner_function):
    """Check a repaired inpainting-GAN ``train_step`` against one step of :class:`course_lib.models.InpaintingGAN`."""
    return check("gan_train_step", _train_step_on_networks(learner_function))
