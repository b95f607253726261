"""Exercises of notebook 04 (from filters to CNNs): a gradient step, Conv2D arithmetic, receptive fields, pooling.

Each check compares the learner's function with a reference on a few tiny,
seeded inputs:

* ``gradient_step``: one step of gradient descent on a kernel, for the loss
  ``mean((correlate_valid(image, kernel) - target) ** 2)``; written with NumPy or
  with ``tf.GradientTape`` (a returned tensor is compared by its NumPy value);
* ``conv2d_output_shape``: the output height, width and parameter count of a
  ``keras.layers.Conv2D`` layer, for ``"valid"`` and ``"same"`` padding and
  any stride (the reference formulas agree with Keras, see the tests);
* ``receptive_field``: the receptive field of a stack of layers given as
  ``(kernel_size, stride)`` pairs;
* ``max_pool_2x2``: 2x2 max pooling with stride 2 of a 2-D feature map, as
  ``keras.layers.MaxPooling2D()`` (padding ``"valid"``: an odd last row or column
  is dropped).

Each check names the mistakes it recognizes: a step uphill, no step at all, the
gradient returned instead of the new kernel, a gradient without its factor 2 or summed
instead of averaged; the biases or the input channels left out of a parameter count,
``"same"`` treated as ``"valid"``; kernel sizes summed, or strides ignored, in a
receptive field; a pooling that starts from zeros or averages.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from ._framework import Case, Exercise, Mistake, check, register

__all__ = ["check_gradient_step", "check_conv2d_output_shape", "check_receptive_field", "check_max_pool_2x2"]


def _gradient_step_variant(kernel, image, target, learning_rate, *, direction=-1.0, factor=2.0, average=True,
                           rate=True):
    kernel = np.asarray(kernel, dtype=np.float64)
    windows = np.lib.stride_tricks.sliding_window_view(np.asarray(image, dtype=np.float64), kernel.shape)
    residual = np.einsum("ijpq,pq->ij", windows, kernel) - np.asarray(target, dtype=np.float64)
    gradient = factor * np.einsum("ij,ijpq->pq", residual, windows) / (residual.size if average else 1)
    return kernel + direction * (learning_rate if rate else 1.0) * gradient


def _gradient(kernel, image, target, learning_rate):
    """The gradient itself (what a step of learning rate -1 adds, over the learning rate)."""
    return (_gradient_step_variant(kernel, image, target, 1.0) - np.asarray(kernel, dtype=np.float64)) * -1.0


_GRADIENT_STEP_MISTAKES = [
    Mistake("You stepped uphill: gradient descent subtracts the gradient, kernel - learning_rate * gradient.",
            answer=lambda *args: _gradient_step_variant(*args, direction=1.0)),
    Mistake("The kernel came back unchanged: the step was never applied. Return kernel - learning_rate * gradient.",
            answer=lambda kernel, image, target, learning_rate: np.asarray(kernel, dtype=np.float64)),
    Mistake("That is the gradient itself: return the new kernel, kernel - learning_rate * gradient.",
            answer=_gradient),
    Mistake("That is the step without the learning rate: multiply the gradient by learning_rate.",
            answer=lambda *args: _gradient_step_variant(*args, rate=False)),
    Mistake("The factor 2 of the derivative of a square is missing: d/dw mean(r ** 2) = 2 mean(r dr/dw).",
            answer=lambda *args: _gradient_step_variant(*args, factor=1.0)),
    Mistake("You summed over the output pixels: the loss is a mean, so divide the summed gradient by the "
            "number of output pixels, r.size.", answer=lambda *args: _gradient_step_variant(*args, average=False)),
]


def _conv2d_output_shape_variant(input_shape, filters, kernel_size, stride=1, padding="valid", *, bias=True,
                                 channels=True, same_as_valid=False, floor_same=False):
    height, width, input_channels = input_shape
    if padding == "valid" or same_as_valid:
        sides = [(side - kernel_size) // stride + 1 for side in (height, width)]
    else:
        sides = [side // stride if floor_same else math.ceil(side / stride) for side in (height, width)]
    parameters = kernel_size * kernel_size * (input_channels if channels else 1) * filters + (filters if bias else 0)
    return sides[0], sides[1], parameters


_CONV2D_OUTPUT_SHAPE_MISTAKES = [
    Mistake("The biases are missing from the parameter count: each filter has one, + filters.",
            answer=lambda *args: _conv2d_output_shape_variant(*args, bias=False)),
    Mistake("The input channels are missing from the parameter count: each filter has a kernel_size x "
            "kernel_size weight for every input channel.",
            answer=lambda *args: _conv2d_output_shape_variant(*args, channels=False)),
    Mistake('padding="same" keeps the size (for stride 1): it pads so that no output pixel is lost.',
            answer=lambda *args: _conv2d_output_shape_variant(*args, same_as_valid=True)),
    Mistake('With padding="same" and a stride, an odd side rounds up: ceil(n / stride), not n // stride.',
            answer=lambda *args: _conv2d_output_shape_variant(*args, floor_same=True)),
]


def _receptive_field_variant(layers, *, strides=True, stride_first=False):
    field, jump = 1, 1
    for kernel_size, stride in layers:
        if stride_first and strides:
            jump *= stride
        field += (kernel_size - 1) * jump
        if strides and not stride_first:
            jump *= stride
    return field


_RECEPTIVE_FIELD_MISTAKES = [
    Mistake("You summed the kernel sizes: neighbouring windows overlap, so each 3x3 layer adds 2 pixels, not 3 "
            "(field += kernel_size - 1).", answer=lambda layers: sum(kernel_size for kernel_size, _ in layers)),
    Mistake("The strides are ignored: after a layer of stride s, every later layer's step counts s input pixels "
            "(multiply a running 'jump' by each stride, and add (kernel_size - 1) * jump).",
            answer=lambda layers: _receptive_field_variant(layers, strides=False)),
    Mistake("A layer's own stride counts only for the layers after it: add (kernel_size - 1) * jump first, then "
            "multiply jump by the stride.", answer=lambda layers: _receptive_field_variant(layers, stride_first=True)),
]


def _pool_blocks(feature_map):
    feature_map = np.asarray(feature_map, dtype=np.float64)
    rows, columns = feature_map.shape[0] // 2, feature_map.shape[1] // 2
    return feature_map[: 2 * rows, : 2 * columns].reshape(rows, 2, columns, 2)


_MAX_POOL_MISTAKES = [
    Mistake("Negative values became 0: the maximum started from zeros. Start from the block's own values "
            "(blocks.max(axis=(1, 3)), or the first value of each block).",
            answer=lambda feature_map: np.maximum(_pool_blocks(feature_map).max(axis=(1, 3)), 0.0)),
    Mistake("That is average pooling: take the maximum of each 2x2 block.",
            answer=lambda feature_map: _pool_blocks(feature_map).mean(axis=(1, 3))),
]

NOTEBOOK = "04_from_filters_to_cnns"


# --------------------------------------------------------------------------------------
# gradient_step
# --------------------------------------------------------------------------------------


def _correlate_valid(image, kernel):
    """``output[i, j] = sum_{p, q} kernel[p, q] * image[i + p, j + q]``, without padding."""
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    return np.einsum("ijpq,pq->ij", windows, kernel)


def _gradient_step_reference(kernel, image, target, learning_rate):
    kernel = np.asarray(kernel, dtype=np.float64)
    image = np.asarray(image, dtype=np.float64)
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    residual = np.einsum("ijpq,pq->ij", windows, kernel) - np.asarray(target, dtype=np.float64)
    gradient = 2.0 * np.einsum("ij,ijpq->pq", residual, windows) / residual.size
    return kernel - learning_rate * gradient


def _gradient_step_cases():
    from ..degradations import gaussian_kernel

    rng = np.random.default_rng(40)
    gaussian = gaussian_kernel(3, 1.0)
    image = rng.random((6, 6))
    blurred = _correlate_valid(image, gaussian)
    tall = rng.random((7, 8))
    wide = rng.random((6, 9))
    small = rng.random((4, 5))
    return [
        Case((np.zeros((3, 3)), image, blurred, 0.5),
             label="a zero 3x3 kernel, a random 6x6 image, its 4x4 target blurred by a 3x3 Gaussian, "
                   "learning_rate=0.5"),
        Case((rng.standard_normal((3, 3)), tall, _correlate_valid(tall, rng.standard_normal((3, 3))), 0.1),
             label="a random (asymmetric) 3x3 kernel, a random 7x8 image and a 5x6 target, learning_rate=0.1"),
        Case((rng.standard_normal((3, 5)), wide, rng.random((4, 5)), 0.2),
             label="a 3x5 kernel (not square), a 6x9 image and a 4x5 target, learning_rate=0.2"),
        Case((gaussian.copy(), image, blurred, 1.0),
             label="the true Gaussian kernel itself: the gradient is zero, so the kernel must not move"),
        Case((np.array([[0.5]]), small, 2.0 * small, 1.0),
             label="a 1x1 kernel [[0.5]], a 4x5 image and target = 2 * image (the weight must grow)"),
    ]


register(Exercise(
    key="gradient_step",
    mistakes=_GRADIENT_STEP_MISTAKES,
    notebook=NOTEBOOK,
    function_name="gradient_step",
    reference=_gradient_step_reference,
    cases=_gradient_step_cases,
    hints=[
        "First the prediction: for each output pixel (i, j), the sum of kernel * image[i:i + kh, j:j + kw] "
        "(a correlation without padding, so it has the target's shape). "
        "`np.lib.stride_tricks.sliding_window_view(image, kernel.shape)` gives all the windows at once, "
        "an array of shape (Ho, Wo, kh, kw).",
        "With the residual r = prediction - target, the loss is mean(r**2), and its derivative by "
        "kernel[p, q] is 2 * mean(r * image[p:p + Ho, q:q + Wo]): the residual correlated with the image "
        "shifted by (p, q). Keep the 2, and average over the r.size output pixels, not over the weights.",
        "Step downhill into a new array: `return kernel - learning_rate * gradient` (`kernel -= ...` would "
        "change the caller's kernel). With TensorFlow instead: compute the loss inside "
        "`with tf.GradientTape() as tape:` after `tape.watch(kernel_tensor)`, then take "
        "`tape.gradient(loss, kernel_tensor)`.",
    ],
    rtol=1e-4,
    atol=1e-6,
))


def _numpy_result(learner_function):
    """Let an answer written with TensorFlow return a tensor: it is compared by its NumPy value."""
    if not callable(learner_function):
        return learner_function

    @functools.wraps(learner_function)
    def with_numpy_result(*args, **kwargs):
        result = learner_function(*args, **kwargs)
        if not isinstance(result, np.ndarray) and callable(getattr(result, "numpy", None)):
            return result.numpy()  # a tf.Tensor, tf.Variable or keras.Variable
        return result

    return with_numpy_result


def check_gradient_step(learner_function):
    """Check one gradient-descent step ``gradient_step(kernel, image, target, learning_rate)`` on a kernel."""
    return check("gradient_step", _numpy_result(learner_function))


# --------------------------------------------------------------------------------------
# conv2d_output_shape
# --------------------------------------------------------------------------------------


def _conv2d_output_shape_reference(input_shape, filters, kernel_size, stride=1, padding="valid"):
    height, width, channels = input_shape
    if padding == "valid":
        sides = [(side - kernel_size) // stride + 1 for side in (height, width)]
    else:  # "same": one output for every stride-th input pixel
        sides = [math.ceil(side / stride) for side in (height, width)]
    parameters = kernel_size * kernel_size * channels * filters + filters
    return sides[0], sides[1], parameters


def _conv2d_output_shape_cases():
    return [
        Case(((32, 32, 1), 8, 3, 1, "valid"),
             label='a 32x32 gray input, 8 filters of 3x3, stride 1, padding="valid"'),
        Case(((32, 32, 1), 8, 3, 1, "same"),
             label='the same layer with padding="same" (the size is kept)'),
        Case(((28, 28, 3), 16, 5, 1, "valid"),
             label='a 28x28 RGB input, 16 filters of 5x5, stride 1, padding="valid"'),
        Case(((34, 47, 32), 64, 3, 2, "valid"),
             label='a 34x47 input with 32 channels, 64 filters of 3x3, stride 2, padding="valid" '
                   "(the last window does not reach the border)"),
        Case(((34, 47, 32), 64, 3, 2, "same"),
             label='the same layer with padding="same" (an odd side: round up)'),
        Case(((64, 64, 64), 1, 1, 1, "same"),
             label='a 1x1 convolution from 64 channels to 1, stride 1, padding="same"'),
    ]


register(Exercise(
    key="conv2d_output_shape",
    mistakes=_CONV2D_OUTPUT_SHAPE_MISTAKES,
    notebook=NOTEBOOK,
    function_name="conv2d_output_shape",
    reference=_conv2d_output_shape_reference,
    cases=_conv2d_output_shape_cases,
    hints=[
        "Parameters: each of the `filters` output channels has a kernel_size x kernel_size weight for every "
        "input channel, plus one bias: kernel_size * kernel_size * channels * filters + filters. The image's "
        "height and width do not change it.",
        'padding="valid": every window must fit inside the input. With stride s they start at 0, s, 2s, ... '
        "up to n - k, so there are (n - k) // s + 1 of them on a side of n pixels.",
        'padding="same": Keras pads just enough that every s-th pixel gets an output, ceil(n / s) of them '
        "(`math.ceil(n / s)` or `-(-n // s)`); with stride 1 the size is unchanged. "
        "Return the tuple `(output_height, output_width, parameters)`.",
    ],
))


def check_conv2d_output_shape(learner_function):
    """Check ``conv2d_output_shape(input_shape, filters, kernel_size, stride, padding)`` of a Conv2D layer."""
    return check("conv2d_output_shape", learner_function)


# --------------------------------------------------------------------------------------
# receptive_field
# --------------------------------------------------------------------------------------


def _receptive_field_reference(layers):
    field, jump = 1, 1
    for kernel_size, stride in layers:
        field += (kernel_size - 1) * jump
        jump *= stride
    return field


def _receptive_field_cases():
    return [
        Case(([(3, 1)],), label="one 3x3 convolution, stride 1"),
        Case(([(3, 1)] * 5,), label="five 3x3 convolutions (the small CNN of section 4)"),
        Case(([(3, 1)] * 17,), label="seventeen 3x3 convolutions (DnCNN, notebook 05)"),
        Case(([(3, 1), (3, 1), (2, 2), (3, 1), (3, 1)],),
             label="two 3x3 convolutions, a 2x2 max pooling with stride 2, two 3x3 convolutions"),
        Case(([(5, 2), (3, 1), (3, 2), (3, 1)],),
             label="a 5x5 convolution with stride 2, a 3x3, a 3x3 with stride 2, a 3x3"),
        Case(([],), label="no layers at all (an output pixel sees only itself)"),
    ]


register(Exercise(
    key="receptive_field",
    mistakes=_RECEPTIVE_FIELD_MISTAKES,
    notebook=NOTEBOOK,
    function_name="receptive_field",
    reference=_receptive_field_reference,
    cases=_receptive_field_cases,
    hints=[
        "Start from a single pixel: with no layers the receptive field is 1. A 3x3 convolution with stride 1 "
        "adds one pixel on each side, so L of them see 2L + 1 pixels (not 3L: neighbouring windows overlap).",
        "A stride spreads what follows: after a layer of stride s, neighbouring features are s times further "
        "apart in the input. Keep this 'jump' (1 at the start) and multiply it by every layer's stride; "
        "a k x k layer then widens the field by (k - 1) * jump.",
        "In this order, for each (kernel_size, stride): `field += (kernel_size - 1) * jump`, then "
        "`jump *= stride`. A layer's own stride only spreads the layers after it.",
    ],
))


def check_receptive_field(learner_function):
    """Check ``receptive_field(layers)`` for a list of ``(kernel_size, stride)`` layers."""
    return check("receptive_field", learner_function)


# --------------------------------------------------------------------------------------
# max_pool_2x2
# --------------------------------------------------------------------------------------


def _max_pool_2x2_reference(feature_map):
    feature_map = np.asarray(feature_map)
    rows, columns = feature_map.shape[0] // 2, feature_map.shape[1] // 2
    blocks = feature_map[: 2 * rows, : 2 * columns].reshape(rows, 2, columns, 2)
    return blocks.max(axis=(1, 3))


def _max_pool_2x2_cases():
    rng = np.random.default_rng(44)
    return [
        Case((np.arange(16.0).reshape(4, 4),),
             label="the 4x4 map [[0, 1, 2, 3], ..., [12, 13, 14, 15]] (the answer is [[5, 7], [13, 15]])"),
        Case((rng.random((6, 8)),), label="a random 6x8 map"),
        Case((rng.standard_normal((4, 6)) - 1.0,), label="a 4x6 map with negative values"),
        Case((rng.random((5, 7)),), label="a 5x7 map (odd sides: the last row and column are dropped)"),
        Case((rng.random((2, 2)),), label="a 2x2 map (one output value)"),
    ]


register(Exercise(
    key="max_pool_2x2",
    mistakes=_MAX_POOL_MISTAKES,
    notebook=NOTEBOOK,
    function_name="max_pool_2x2",
    reference=_max_pool_2x2_reference,
    cases=_max_pool_2x2_cases,
    hints=[
        "The output has H // 2 rows and W // 2 columns, and output[i, j] is the largest of the four values "
        "feature_map[2 * i : 2 * i + 2, 2 * j : 2 * j + 2]. An odd last row or column is dropped, as Keras' "
        "MaxPooling2D does with its default padding=\"valid\".",
        "With loops: `output[i, j] = feature_map[2 * i : 2 * i + 2, 2 * j : 2 * j + 2].max()`. Start from "
        "`np.empty(...)` or `np.full(..., -np.inf)`, not from zeros you compare with: feature maps can be negative.",
        "Without loops: crop to even sides, `cropped = feature_map[: 2 * (H // 2), : 2 * (W // 2)]`, "
        "reshape it to (H // 2, 2, W // 2, 2) and take `.max(axis=(1, 3))`.",
    ],
))


def check_max_pool_2x2(learner_function):
    """Check 2x2 max pooling with stride 2, ``max_pool_2x2(feature_map)``, of a 2-D feature map."""
    return check("max_pool_2x2", learner_function)
