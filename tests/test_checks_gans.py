"""The checks of notebook 07: correct answers pass, the usual mistakes get the right feedback."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from course_lib import checks, models
from course_lib.checks import gans as gan_checks

KEYS = ["discriminator_loss", "generator_loss", "gan_train_step"]


def _status(check_function, learner_function):
    return check_function(learner_function).status


def test_the_exercises_are_registered_in_the_notebook_order_with_three_hints_each():
    # (that every stub is "not attempted" is tested for all exercises in test_checks_framework.py)
    assert checks.list_exercises("07_gans") == KEYS
    assert all(len(checks.exercise(key).hints) >= 3 for key in KEYS)
    assert set(gan_checks.__all__) == {f"check_{key}" for key in KEYS}
    for name in gan_checks.__all__:
        assert callable(getattr(checks, name))


@pytest.mark.parametrize("key", KEYS)
def test_passing_a_result_instead_of_the_function_is_a_wrong_type(key):
    feedback = getattr(checks, f"check_{key}")(np.zeros(3))
    assert feedback.status == checks.WRONG_TYPE and "Pass the function itself" in feedback.message


@pytest.mark.parametrize("key", KEYS)
def test_a_stub_is_not_attempted(key):
    def stub(*args, **kwargs):
        raise NotImplementedError("Write your code here, then run the check below.")

    assert _status(getattr(checks, f"check_{key}"), stub) == checks.NOT_ATTEMPTED


def _sigmoid(logits):
    return 1.0 / (1.0 + np.exp(-np.asarray(logits, dtype=np.float64)))


# --- discriminator_loss ------------------------------------------------------------------------------


def d_loss_keras_softplus(real_logits, fake_logits):
    return ops.mean(ops.softplus(-real_logits)) + ops.mean(ops.softplus(fake_logits))


def d_loss_numpy_logaddexp(real_logits, fake_logits):
    return np.mean(np.logaddexp(0, -real_logits)) + np.mean(np.logaddexp(0, fake_logits))


def d_loss_keras_cross_entropy(real_logits, fake_logits):
    cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)
    return (cross_entropy(ops.ones_like(real_logits), real_logits)
            + cross_entropy(ops.zeros_like(fake_logits), fake_logits))


def d_loss_tensorflow(real_logits, fake_logits):
    real = tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.ones_like(real_logits), logits=real_logits)
    fake = tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.zeros_like(fake_logits), logits=fake_logits)
    return tf.reduce_mean(real) + tf.reduce_mean(fake)


def d_loss_widely_copied(real_logits, fake_logits):
    return -np.mean(np.log(_sigmoid(real_logits) + _sigmoid(fake_logits)))


def d_loss_swapped_labels(real_logits, fake_logits):
    return d_loss_keras_softplus(fake_logits, real_logits)


def d_loss_fakes_called_real(real_logits, fake_logits):
    return ops.mean(ops.softplus(-real_logits)) + ops.mean(ops.softplus(-fake_logits))


def d_loss_sigmoid_twice(real_logits, fake_logits):
    return d_loss_keras_softplus(ops.sigmoid(real_logits), ops.sigmoid(fake_logits))


def d_loss_sum(real_logits, fake_logits):
    return ops.sum(ops.softplus(-real_logits)) + ops.sum(ops.softplus(fake_logits))


def d_loss_one_mean_of_the_concatenation(real_logits, fake_logits):
    logits = ops.concatenate([ops.reshape(real_logits, (-1,)), ops.reshape(fake_logits, (-1,))], axis=0)
    labels = ops.concatenate([ops.ones(ops.size(real_logits)), ops.zeros(ops.size(fake_logits))], axis=0)
    return keras.losses.BinaryCrossentropy(from_logits=True)(labels[:, None], logits[:, None])


def d_loss_flipped_sign(real_logits, fake_logits):
    return -d_loss_keras_softplus(real_logits, fake_logits)


def d_loss_log_sigmoid(real_logits, fake_logits):
    real, fake = _sigmoid(real_logits), _sigmoid(fake_logits)
    return -np.mean(np.log(real)) - np.mean(np.log(1 - fake))


def d_loss_log_sigmoid_keras(real_logits, fake_logits):
    return -ops.mean(ops.log(ops.sigmoid(real_logits))) - ops.mean(ops.log(1 - ops.sigmoid(fake_logits)))


def d_loss_clipped(real_logits, fake_logits):
    real, fake = _sigmoid(real_logits), _sigmoid(fake_logits)
    real, fake = np.clip(real, 1e-7, 1 - 1e-7), np.clip(fake, 1e-7, 1 - 1e-7)
    return -np.mean(np.log(real)) - np.mean(np.log(1 - fake))


def d_loss_logits_as_probabilities(real_logits, fake_logits):
    return -np.mean(np.log(real_logits)) - np.mean(np.log(1 - fake_logits))


@pytest.mark.parametrize("answer", [d_loss_keras_softplus, d_loss_numpy_logaddexp, d_loss_keras_cross_entropy,
                                    d_loss_tensorflow, models.discriminator_loss])
def test_discriminator_loss_correct_answers_pass(answer):
    assert _status(checks.check_discriminator_loss, answer) == checks.CORRECT


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("answer, explanation", [
    (d_loss_widely_copied, "-log(D(x) + D(G(z)))"),
    (d_loss_swapped_labels, "labels are swapped"),
    (d_loss_fakes_called_real, "fakes are labelled real"),
    (d_loss_sigmoid_twice, "A sigmoid too many"),
    (d_loss_sum, "the sum over the batches"),
    (d_loss_one_mean_of_the_concatenation, "one mean over the real and the fake logits together"),
    (d_loss_flipped_sign, "The sign is flipped"),
    (d_loss_log_sigmoid, "Your loss is infinite where the discriminator is very sure"),
    (d_loss_log_sigmoid_keras, "Your loss is infinite where the discriminator is very sure"),
    (d_loss_clipped, "a probability clipped"),
    (d_loss_logits_as_probabilities, "NaN"),
    (lambda real_logits, fake_logits: ops.mean(ops.softplus(-real_logits)), "the real images' term alone"),
])
def test_discriminator_loss_mistakes_are_caught_and_explained(answer, explanation):
    feedback = checks.check_discriminator_loss(answer)
    assert feedback.status == checks.WRONG_VALUES
    assert explanation in feedback.message, feedback.message
    assert 'hint("discriminator_loss")' in feedback.details[-1]


def test_discriminator_loss_overflow_and_clipping_are_caught_on_the_large_logits_only():
    for answer in (d_loss_log_sigmoid, d_loss_clipped, d_loss_log_sigmoid_keras):
        with np.errstate(all="ignore"):
            feedback = checks.check_discriminator_loss(answer)
        assert "test 4 of 4" in feedback.details[0] and "very sure" in feedback.details[0]


def test_discriminator_loss_must_be_one_number():
    feedback = checks.check_discriminator_loss(
        lambda real_logits, fake_logits: ops.softplus(-real_logits) + ops.softplus(fake_logits))
    assert not feedback.passed and "expected a single number" in feedback.message


def test_discriminator_loss_cases_make_every_mistake_far_from_the_answer():
    for case in gan_checks._discriminator_loss_cases()[:3]:
        expected = gan_checks._discriminator_loss_reference(*case.args)
        for value, explanation in gan_checks._discriminator_loss_mistakes(*case.args):
            assert abs(value - expected) > 1e-2 * max(1.0, abs(expected)), (case.label, explanation[:40])


def test_the_large_logits_defeat_the_naive_formula_even_in_float64():
    real, fake = (np.asarray(value, np.float64) for value in gan_checks._discriminator_loss_cases()[-1].args)
    with np.errstate(all="ignore"):
        assert not np.isfinite(d_loss_log_sigmoid(real, fake))
    (fake,) = gan_checks._generator_loss_cases()[-1].args
    with np.errstate(all="ignore"):
        assert not np.isfinite(-np.mean(np.log(_sigmoid(np.asarray(fake, np.float64)))))


# --- generator_loss ----------------------------------------------------------------------------------


def g_loss_keras(fake_logits):
    return ops.mean(ops.softplus(-fake_logits))


def g_loss_cross_entropy(fake_logits):
    return keras.losses.BinaryCrossentropy(from_logits=True)(ops.ones_like(fake_logits), fake_logits)


def g_loss_numpy(fake_logits):
    return float(np.mean(np.logaddexp(0, -fake_logits)))


def g_loss_minimax(fake_logits):
    return models.generator_loss(fake_logits, kind="minimax")


def g_loss_fake_label(fake_logits):
    return ops.mean(ops.softplus(fake_logits))


def g_loss_flipped_sign(fake_logits):
    return -ops.mean(ops.softplus(-fake_logits))


def g_loss_sigmoid_twice(fake_logits):
    return ops.mean(ops.softplus(-ops.sigmoid(fake_logits)))


def g_loss_sum(fake_logits):
    return ops.sum(ops.softplus(-fake_logits))


def g_loss_log_sigmoid(fake_logits):
    return -np.mean(np.log(_sigmoid(fake_logits)))


def g_loss_clipped(fake_logits):
    return -ops.mean(ops.log(ops.clip(ops.sigmoid(fake_logits), 1e-7, 1.0)))


@pytest.mark.parametrize("answer", [g_loss_keras, g_loss_cross_entropy, g_loss_numpy, models.generator_loss])
def test_generator_loss_correct_answers_pass(answer):
    assert _status(checks.check_generator_loss, answer) == checks.CORRECT


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("answer, explanation", [
    (g_loss_minimax, "That is the minimax loss"),
    (g_loss_fake_label, "the discriminator's term for the fakes"),
    (g_loss_flipped_sign, "The sign is flipped"),
    (g_loss_sigmoid_twice, "A sigmoid too many"),
    (g_loss_sum, "the sum over the batch"),
    (g_loss_log_sigmoid, "Your loss is infinite"),
    (g_loss_clipped, "a probability clipped"),
    (lambda fake_logits: -np.mean(np.log(fake_logits)), "NaN"),
])
def test_generator_loss_mistakes_are_caught_and_explained(answer, explanation):
    feedback = checks.check_generator_loss(answer)
    assert feedback.status == checks.WRONG_VALUES
    assert explanation in feedback.message, feedback.message


def test_generator_loss_cases_make_every_mistake_far_from_the_answer():
    for case in gan_checks._generator_loss_cases()[:2]:
        expected = gan_checks._generator_loss_reference(*case.args)
        for value, explanation in gan_checks._generator_loss_mistakes(*case.args):
            assert abs(value - expected) > 1e-2 * max(1.0, abs(expected)), (case.label, explanation[:40])


# --- gan_train_step ----------------------------------------------------------------------------------


def reconstruction_loss(generated, clean, hole, hole_weight=6.0, valid_weight=1.0):
    """InpaintingGAN's L1 terms, as the notebook gives them to the learner."""
    error = ops.abs(generated - clean)
    channels = ops.cast(ops.shape(clean)[-1], "float32")
    inside = ops.sum(error * hole) / ops.maximum(ops.sum(hole) * channels, 1.0)
    outside = ops.sum(error * (1.0 - hole)) / ops.maximum(ops.sum(1.0 - hole) * channels, 1.0)
    return hole_weight * inside + valid_weight * outside


def _apply(tape, loss, network, optimizer):
    gradients = tape.gradient(loss, network.trainable_weights)
    optimizer.apply_gradients(zip(gradients, network.trainable_weights))


def make_train_step(*, generator_input="damaged", mask="hole", d_loss_kind="library", g_adversarial="library",
                    same_tape=False, train_on_batch=None, one_optimizer=False, swap_optimizers=False,
                    patch_labels="map", weighted=True, tf_function=False):
    """A train_step written as a learner would, with one chosen bug (the defaults: none)."""

    def d_loss_of(real_logits, fake_logits):
        if patch_labels == "per_image":  # (batch, 1) labels for a (batch, h, w, 1) map of logits
            cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)
            batch = ops.shape(real_logits)[0]
            return (cross_entropy(ops.ones((batch, 1)), real_logits)
                    + cross_entropy(ops.zeros((batch, 1)), fake_logits))
        if d_loss_kind == "widely_copied":
            return -ops.mean(ops.log(ops.sigmoid(real_logits) + ops.sigmoid(fake_logits)))
        if d_loss_kind == "sum":
            return ops.sum(ops.softplus(-real_logits)) + ops.sum(ops.softplus(fake_logits))
        return models.discriminator_loss(real_logits, fake_logits)

    def adversarial_of(fake_logits):
        if g_adversarial == "minimax":
            return models.generator_loss(fake_logits, kind="minimax")
        return models.generator_loss(fake_logits)

    def train_step(generator, discriminator, g_optimizer, d_optimizer, damaged, hole, clean, adversarial_weight=0.01):
        if one_optimizer:
            g_optimizer = d_optimizer
        if swap_optimizers:
            g_optimizer, d_optimizer = d_optimizer, g_optimizer
        given = {"damaged": damaged, "clean": clean,
                 "noise": tf.random.normal(ops.shape(damaged), seed=1)}[generator_input]
        given_mask = hole if mask == "hole" else 1.0 - hole
        weight = adversarial_weight if weighted else 1.0
        with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
            generated = generator([given, given_mask], training=True)
            filled = models.composite(generated, damaged, hole)
            real_logits = discriminator([clean, hole], training=True)
            fake_logits = discriminator([filled, hole], training=True)
            d_loss = d_loss_of(real_logits, fake_logits)
            if train_on_batch == "compiled":
                discriminator.compile(optimizer=d_optimizer, loss=keras.losses.BinaryCrossentropy(from_logits=True))
            if train_on_batch:
                discriminator.train_on_batch([clean, hole], np.ones((clean.shape[0], 4, 4, 1), np.float32))
            if same_tape:
                g_loss = reconstruction_loss(generated, clean, hole) + weight * adversarial_of(fake_logits)
        _apply(d_tape, d_loss, discriminator, d_optimizer)
        if not same_tape:
            with tf.GradientTape() as g_tape:
                generated = generator([given, given_mask], training=True)
                filled = models.composite(generated, damaged, hole)
                g_loss = (reconstruction_loss(generated, clean, hole)
                          + weight * adversarial_of(discriminator([filled, hole], training=True)))
        _apply(g_tape, g_loss, generator, g_optimizer)
        return d_loss, g_loss

    return tf.function(train_step) if tf_function else train_step


def broken_snippet_as_a_function(generator, discriminator, g_optimizer, d_optimizer, damaged, hole, clean,
                                 adversarial_weight=0.01):
    """The notebook's broken snippet, with the check's arguments: every bug at once."""
    optimizer = d_optimizer
    discriminator.compile(optimizer=optimizer, loss="binary_crossentropy")
    batch = clean.shape[0]
    noise = tf.random.normal(clean.shape)
    with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
        generated = generator([noise, hole], training=True)
        real_score = tf.sigmoid(discriminator([clean, hole]))
        fake_score = tf.sigmoid(discriminator([generated, hole]))
        d_loss = -tf.reduce_mean(tf.math.log(real_score + fake_score))
        real_labels = tf.ones((batch, 1))
        discriminator.train_on_batch([clean, hole], real_labels)
        g_loss = (tf.reduce_mean(tf.abs(generated - clean))
                  + adversarial_weight * keras.losses.binary_crossentropy(real_labels, fake_score))
    optimizer.apply_gradients(zip(d_tape.gradient(d_loss, discriminator.trainable_weights),
                                  discriminator.trainable_weights))
    optimizer.apply_gradients(zip(g_tape.gradient(g_loss, generator.trainable_weights), generator.trainable_weights))
    return d_loss, g_loss


@pytest.mark.parametrize("answer", [make_train_step(), make_train_step(tf_function=True),
                                    gan_checks.library_train_step], ids=["eager", "tf.function", "library"])
def test_train_step_correct_answers_pass(answer):
    feedback = checks.check_gan_train_step(answer)
    assert feedback.status == checks.CORRECT, feedback


@pytest.mark.parametrize("bug, status, explanation", [
    # the five bugs of the broken snippet
    (dict(generator_input="noise"), checks.WRONG_VALUES, "random noise?"),
    (dict(train_on_batch="compiled"), checks.WRONG_VALUES, "train_step compiled the discriminator"),
    (dict(train_on_batch="uncompiled"), checks.ERROR, "You trained a network with train_on_batch"),
    (dict(one_optimizer=True), checks.ERROR, "One optimizer for both networks"),
    (dict(d_loss_kind="widely_copied"), checks.WRONG_VALUES, "-log(D(x) + D(G(z)))"),
    (dict(patch_labels="per_image"), checks.ERROR, "returns a map of logits, shape (N, h, w, 1)"),
    # and other ways to get it wrong
    (dict(generator_input="clean"), checks.WRONG_VALUES, "The generator got the clean images"),
    (dict(mask="valid"), checks.WRONG_VALUES, "got the valid mask"),
    (dict(d_loss_kind="sum"), checks.WRONG_VALUES, "the sum over the batches"),
    (dict(g_adversarial="minimax"), checks.WRONG_VALUES, "the minimax loss"),
    (dict(same_tape=True), checks.WRONG_VALUES, "*before* its update"),
    (dict(swap_optimizers=True), checks.WRONG_VALUES, "updated with the other network's optimizer"),
    (dict(weighted=False), checks.WRONG_VALUES, "not weighted"),
    (dict(generator_input="noise", tf_function=True), checks.WRONG_VALUES, "d_loss is"),
])
def test_train_step_bugs_are_caught_and_explained(bug, status, explanation):
    feedback = checks.check_gan_train_step(make_train_step(**bug))
    assert feedback.status == status, feedback
    assert explanation in feedback.message + " ".join(feedback.details), feedback


def test_the_broken_snippet_fails_the_check():
    feedback = checks.check_gan_train_step(broken_snippet_as_a_function)
    assert feedback.status == checks.ERROR  # its train_on_batch meets the PatchGAN map first
    assert "returns a map of logits" in " ".join(feedback.details), feedback


def test_train_step_must_return_both_losses():
    def only_d_loss(*args, **kwargs):
        return make_train_step()(*args, **kwargs)[0]

    def per_sample_g_loss(*args, **kwargs):
        d_loss, g_loss = make_train_step()(*args, **kwargs)
        return d_loss, ops.ones(3) * g_loss

    assert "should return the two losses" in checks.check_gan_train_step(only_d_loss).message
    assert "one number, a mean over the batch" in checks.check_gan_train_step(per_sample_g_loss).message


def test_the_second_case_uses_the_default_adversarial_weight():
    cases = gan_checks._train_step_cases()
    assert cases[0].args[0].adversarial_weight == 1.0 and cases[1].args[0].adversarial_weight is None
    feedback = checks.check_gan_train_step(make_train_step(weighted=False))
    assert "test 2 of 2" in feedback.details[0]


def test_the_check_networks_are_the_library_ones_and_a_patch_map():
    setup = gan_checks._train_step_cases()[0].args[0]
    generator, discriminator, g_optimizer, d_optimizer = gan_checks._networks(setup)
    damaged, hole, clean = gan_checks._batch(setup)
    assert discriminator([clean, hole]).shape == (3, 4, 4, 1)
    assert generator([damaged, hole]).shape == clean.shape
    assert 0 < hole.mean() < 0.5 and np.array_equal(damaged, clean * (1 - hole))
    assert g_optimizer is not d_optimizer


def test_each_step_bug_changes_a_loss_by_far_more_than_the_tolerance():
    """The check compares losses with rtol=1e-4: every recognized mistake is at least 5 times further.

    On the first case, which every answer meets first, all of them; its adversarial weight of 1 makes the
    adversarial term's mistakes show. The second case, with InpaintingGAN's default weight 0.01, is there
    for the weight itself (and the discriminator's loss, which the weight does not touch).
    """
    first, second = (case.args[0] for case in gan_checks._train_step_cases())
    for setup, all_of_them in ((first, True), (second, False)):
        expected = gan_checks._train_step_reference(setup)
        d_loss, g_loss = (float(value) for value in expected.returned)
        d_mistakes, g_mistakes = gan_checks._step_mistakes(setup)
        if not all_of_them:
            g_mistakes = [(value, text) for value, text in g_mistakes if "not weighted" in text]
            assert len(g_mistakes) == 1
        for value, explanation in d_mistakes:
            assert abs(value - d_loss) > 5e-4 * abs(d_loss), (setup, explanation[:50])
        for value, explanation in g_mistakes:
            assert abs(value - g_loss) > 5e-4 * abs(g_loss), (setup, explanation[:50])


# --- a sigmoid too many, however it is written ------------------------------------------------------

_CROSS_ENTROPY = keras.losses.BinaryCrossentropy(from_logits=True)


def double_sigmoid_with_the_loss_class(real_logits, fake_logits):
    real, fake = ops.sigmoid(real_logits), ops.sigmoid(fake_logits)
    return _CROSS_ENTROPY(ops.ones_like(real), real) + _CROSS_ENTROPY(ops.zeros_like(fake), fake)


def double_sigmoid_with_ops(real_logits, fake_logits):
    real, fake = ops.sigmoid(real_logits), ops.sigmoid(fake_logits)
    return (ops.mean(ops.binary_crossentropy(ops.ones_like(real), real, from_logits=True))
            + ops.mean(ops.binary_crossentropy(ops.zeros_like(fake), fake, from_logits=True)))


@tf.function
def double_sigmoid_in_a_graph(real_logits, fake_logits):
    real, fake = tf.sigmoid(real_logits), tf.sigmoid(fake_logits)
    return _CROSS_ENTROPY(tf.ones_like(real), real) + _CROSS_ENTROPY(tf.zeros_like(fake), fake)


def double_sigmoid_with_tensorflow(real_logits, fake_logits):
    real, fake = tf.sigmoid(real_logits), tf.sigmoid(fake_logits)
    return (tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(tf.ones_like(real), real))
            + tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(tf.zeros_like(fake), fake)))


@pytest.mark.parametrize("answer", [double_sigmoid_with_the_loss_class, double_sigmoid_with_ops,
                                    double_sigmoid_in_a_graph, double_sigmoid_with_tensorflow])
def test_a_double_sigmoid_fails_however_it_is_written(answer):
    """Keras' TensorFlow backend would undo keras.ops.sigmoid before a from_logits=True cross-entropy."""
    feedback = checks.check_discriminator_loss(answer)
    assert not feedback.passed
    assert "A sigmoid too many" in feedback.message


def test_a_double_sigmoid_in_the_generator_loss_fails():
    def generator_loss(fake_logits):
        fake = ops.sigmoid(fake_logits)
        return _CROSS_ENTROPY(ops.ones_like(fake), fake)

    feedback = checks.check_generator_loss(generator_loss)
    assert not feedback.passed and "A sigmoid too many" in feedback.message


def test_a_sigmoid_then_a_cross_entropy_of_probabilities_still_passes():
    """Right: probabilities into a from_logits=False loss (Keras keeps it stable by using the logits)."""
    probabilities_loss = keras.losses.BinaryCrossentropy(from_logits=False)

    def discriminator_loss(real_logits, fake_logits):
        real, fake = ops.sigmoid(real_logits), ops.sigmoid(fake_logits)
        return probabilities_loss(ops.ones_like(real), real) + probabilities_loss(ops.zeros_like(fake), fake)

    assert checks.check_discriminator_loss(discriminator_loss).passed


def test_keras_rescues_a_double_sigmoid_again_after_the_check():
    """The check changes Keras only while the learner's loss runs."""
    logits = np.array([[3.0], [-2.0]], np.float32)
    checks.check_discriminator_loss(double_sigmoid_with_the_loss_class)
    rescued = float(_CROSS_ENTROPY(np.ones_like(logits), ops.sigmoid(logits)))
    assert rescued == pytest.approx(float(_CROSS_ENTROPY(np.ones_like(logits), logits)), rel=1e-5)
