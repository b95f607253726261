"""Deploying a trained network: TensorFlow Lite conversion, int8 / float16 weights, latency.

A trained Keras model is a Python object that needs TensorFlow. To run on a phone, in
a browser or in a small C++ program, it is converted to a **TensorFlow Lite**
flat buffer: the graph and its weights in one file that a small interpreter runs
(on a CPU through its XNNPACK kernels).

The converter can also shrink the weights (*post-training quantization*; no
retraining, no data):

- ``"float32"``: the weights as they are, 4 bytes each;
- ``"float16"``: weights stored as 16-bit floats (half the file), turned back into
  float32 when the model is loaded, so computation is unchanged;
- ``"dynamic_int8"``: *dynamic-range* quantization. Each weight tensor (per output
  channel for convolutions) is stored as 8-bit integers :math:`q` with one scale
  :math:`s`, :math:`w \\approx s\\,q`, symmetric around 0:

  .. math::

      s = \\frac{\\max |w|}{127}, \\qquad q = \\operatorname{round}(w / s) \\in \\{-127, \\dots, 127\\}.

  A quarter of the file. At run time the activations are quantized on the fly,
  batch by batch, so the multiplications run in int8 where the kernels allow it.

Quantization changes the numbers a network computes, so it costs some PSNR: how much
must be measured, model by model. :func:`quantize_symmetric` and :func:`dequantize`
do the weight part by hand, to see the rounding error it makes.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import statistics
import sys
import time
import warnings
from dataclasses import dataclass

import numpy as np

from .._validation import check_choice, check_image, check_integer

__all__ = [
    "TFLITE_MODES",
    "convert_to_tflite",
    "TFLiteModel",
    "apply_tflite",
    "quantize_symmetric",
    "dequantize",
    "Latency",
    "measure_latency",
]

#: Post-training modes of :func:`convert_to_tflite`.
TFLITE_MODES = ("float32", "float16", "dynamic_int8")


@contextlib.contextmanager
def _quiet():
    """Keep TensorFlow's progress messages out of the output: its Python logger, and what its C++
    code writes straight to file descriptors 1 and 2 (the converter's and XNNPACK's notices)."""
    logger = logging.getLogger("tensorflow")
    level = logger.level
    logger.setLevel(logging.ERROR)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    saved, devnull = [], None
    try:
        saved = [os.dup(1), os.dup(2)]
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
    except OSError:  # pragma: no cover - no file descriptors to redirect (an unusual host)
        pass
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        for number, descriptor in zip((1, 2), saved):
            os.dup2(descriptor, number)
            os.close(descriptor)
        if devnull is not None:
            os.close(devnull)
        logger.setLevel(level)


def _conversion_problem(error: Exception) -> str:
    """The converter's explanation in one line (its errors are long MLIR dumps)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    select = next((line for line in lines if line.startswith("TF Select ops:")), None)
    if select:
        example = next((line for line in lines if line.startswith("tf.") and "(" in line), "")
        example = example.split(" : {")[0][:160]
        return (f"operations the TFLite runtime does not have ({select}"
                + (f", e.g. {example}" if example else "") + ")")
    first = lines[0] if lines else type(error).__name__
    return first if len(first) <= 300 else first[:297] + "..."


def convert_to_tflite(model, mode: str = "float32") -> bytes:
    """Convert a Keras model to a TensorFlow Lite flat buffer, optionally quantizing its weights.

    Parameters
    ----------
    model : keras.Model
        Any functional course model; a model that computes in bfloat16 is first
        rebuilt in float32 (:func:`course_lib.models.with_precision`).
    mode : {"float32", "float16", "dynamic_int8"}
        How the weights are stored; see the module's description.

    Returns
    -------
    bytes
        The ``.tflite`` file's content (write it with ``Path(...).write_bytes``).

    Raises
    ------
    RuntimeError
        When the converter cannot translate the model; the message names the model
        and gives the converter's first line of explanation.

    Notes
    -----
    Uses ``tf.lite.TFLiteConverter.from_keras_model``, which exports the model to a
    temporary SavedModel first; its progress messages are kept out of the output.
    A model with a convolution whose input channels are unknown when the graph is
    traced (in TensorFlow 2.21, the decoder of the course's inpainting U-Net) needs
    TensorFlow's own kernels ("TF Select"), which this function does not enable: the
    conversion fails with a RuntimeError that says so.
    """
    import keras
    import tensorflow as tf

    from .precision import model_precision, with_precision

    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model; got {type(model).__name__}")
    check_choice(mode, "mode", TFLITE_MODES)
    if model_precision(model) != "float32":
        model = with_precision(model, "float32")
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if mode in ("float16", "dynamic_int8"):
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if mode == "float16":
        converter.target_spec.supported_types = [tf.float16]
    try:
        with _quiet():
            return converter.convert()
    except Exception as error:
        raise RuntimeError(f"the TFLite converter could not convert model {model.name!r} in mode {mode!r}: "
                           f"{_conversion_problem(error)}") from error


class TFLiteModel:
    """A TensorFlow Lite model ready to run, called like a Keras model on NumPy batches.

    Parameters
    ----------
    content : bytes
        A flat buffer from :func:`convert_to_tflite`.
    threads : int, optional
        CPU threads for the interpreter (default: all cores).

    Attributes
    ----------
    input_names : list of str
        The Keras model's input names, in the order ``__call__`` takes them.
    size_bytes : int
        Size of the flat buffer (what a ``.tflite`` file would weigh).

    Notes
    -----
    Every input size is accepted: when a call's shapes differ from the previous
    call's, the input tensors are resized and the interpreter re-prepared (which
    takes a moment), so repeated calls with one shape run at full speed.
    """

    def __init__(self, content: bytes, *, threads: int | None = None):
        import tensorflow as tf

        if not isinstance(content, (bytes, bytearray)) or not content:
            raise TypeError(f"content must be the bytes of a TFLite model; got {type(content).__name__}")
        if threads is not None:
            threads = check_integer(threads, "threads", minimum=1)
        with warnings.catch_warnings():  # tf.lite.Interpreter's notice about the LiteRT package
            warnings.simplefilter("ignore")
            self._interpreter = tf.lite.Interpreter(model_content=bytes(content), num_threads=threads)
        runner = self._interpreter.get_signature_runner()
        inputs = runner.get_input_details()
        outputs = runner.get_output_details()
        self.input_names = list(inputs)
        self._input_indices = [inputs[name]["index"] for name in self.input_names]
        self._output_index = outputs[sorted(outputs)[0]]["index"]
        self.size_bytes = len(content)
        self._shapes = None

    def __call__(self, *arrays) -> np.ndarray:
        """Run the model on one batch per input, e.g. ``(1, H, W, 1)`` float32; returns the output batch."""
        if len(arrays) != len(self._input_indices):
            raise ValueError(f"the model takes {len(self._input_indices)} input(s) {self.input_names}; "
                             f"got {len(arrays)}")
        batches = [np.ascontiguousarray(array, dtype=np.float32) for array in arrays]
        shapes = [batch.shape for batch in batches]
        if shapes != self._shapes:
            for index, shape in zip(self._input_indices, shapes):
                self._interpreter.resize_tensor_input(index, list(shape), strict=False)
            with _quiet():  # the first allocation announces the XNNPACK delegate on stderr
                self._interpreter.allocate_tensors()
            self._shapes = shapes
        for index, batch in zip(self._input_indices, batches):
            self._interpreter.set_tensor(index, batch)
        self._interpreter.invoke()
        return self._interpreter.get_tensor(self._output_index).copy()


def apply_tflite(model: TFLiteModel, image, *, margin: int = 0, multiple: int = 1) -> np.ndarray:
    """Run a one-input TFLite image model on one image of any size, in one piece.

    Parameters
    ----------
    model : TFLiteModel
        A model whose output has its input's size (a denoiser, or an SR network that
        refines a bicubic upscaling).
    image : numpy.ndarray
        ``(H, W)`` gray image (values outside [0, 1] allowed).
    margin : int
        Mirror-extend the image by this many pixels on every side before the run and
        crop them off after, as :func:`course_lib.models.apply_model` does (half the
        receptive field gives the border pixels real-looking context).
    multiple : int
        Pad the far sides (by repeating the edge) to a multiple of this, for networks
        that unshuffle (an SR model that works at 1/scale needs ``multiple=scale``).

    Returns
    -------
    numpy.ndarray
        float32 ``(H, W)``.
    """
    if not isinstance(model, TFLiteModel):
        raise TypeError(f"model must be a TFLiteModel; got {type(model).__name__}")
    if len(model.input_names) != 1:
        raise ValueError(f"model must take one input; it takes {model.input_names}")
    array = check_image(image, "image", allow_color=False).astype(np.float32)
    margin = check_integer(margin, "margin", minimum=0)
    multiple = check_integer(multiple, "multiple", minimum=1)
    height, width = array.shape
    padded = np.pad(array, margin, mode="reflect") if margin else array
    extra_rows = -(-height // multiple) * multiple - height
    extra_columns = -(-width // multiple) * multiple - width
    padded = np.pad(padded, ((0, extra_rows), (0, extra_columns)), mode="edge")
    output = model(padded[None, ..., None])[0, ..., 0]
    return output[margin : margin + height, margin : margin + width]


def quantize_symmetric(weights) -> tuple[np.ndarray, float]:
    """Symmetric per-tensor int8 quantization of a weight array.

    Parameters
    ----------
    weights : numpy.ndarray
        Float weights of any shape.

    Returns
    -------
    quantized : numpy.ndarray
        int8, ``round(weights / scale)``, between -127 and 127.
    scale : float
        ``max|weights| / 127`` (1.0 for an all-zero array), so that the largest
        weight maps to ±127 and 0 maps exactly to 0.

    Notes
    -----
    The rounding error of each weight is at most ``scale / 2``. TFLite's
    dynamic-range mode does the same per output channel of a convolution (one scale
    per filter), which helps when filters differ in size.

    Examples
    --------
    >>> quantized, scale = quantize_symmetric(np.array([-0.5, 0.25, 1.0]))
    >>> quantized.tolist(), round(scale * 127, 6)
    ([-64, 32, 127], 1.0)
    """
    array = np.asarray(weights)
    if array.dtype == object or not np.issubdtype(array.dtype, np.floating):
        raise ValueError(f"weights must be a floating-point array; got dtype {array.dtype}")
    if array.size == 0:
        raise ValueError("weights is empty")
    if not np.all(np.isfinite(array)):
        raise ValueError("weights contains NaN or infinite values")
    largest = float(np.max(np.abs(array)))
    scale = largest / 127.0 if largest > 0 else 1.0
    quantized = np.clip(np.round(array / scale), -127, 127).astype(np.int8)
    return quantized, scale


def dequantize(quantized, scale: float) -> np.ndarray:
    """The float weights an int8 array stands for: ``quantized * scale`` (float32)."""
    array = np.asarray(quantized)
    if not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"quantized must be an integer array; got dtype {array.dtype}")
    if isinstance(scale, bool) or not isinstance(scale, (int, float, np.floating)) or not scale > 0:
        raise ValueError(f"scale must be a positive number; got {scale!r}")
    return (array.astype(np.float32) * np.float32(scale)).astype(np.float32)


@dataclass(frozen=True)
class Latency:
    """Timings of repeated runs of one computation.

    Attributes
    ----------
    seconds : tuple of float
        Wall time of each timed run.
    pixels : int
        Output pixels per run (for the throughput).
    """

    seconds: tuple
    pixels: int

    @property
    def median(self) -> float:
        """The median time of one run, in seconds (robust to a run slowed by another process)."""
        return statistics.median(self.seconds)

    @property
    def best(self) -> float:
        """The fastest run, in seconds."""
        return min(self.seconds)

    @property
    def megapixels_per_second(self) -> float:
        """Throughput: output megapixels per second at the median time."""
        return self.pixels / 1e6 / self.median if self.median > 0 else float("inf")

    def __str__(self) -> str:
        return (f"{1000 * self.median:.1f} ms per run (median of {len(self.seconds)}), "
                f"{self.megapixels_per_second:.2f} Mpx/s")


def measure_latency(function, *arguments, pixels: int, repeats: int = 5, warmup: int = 1) -> Latency:
    """Time ``function(*arguments)``: `warmup` untimed calls, then `repeats` timed ones.

    Parameters
    ----------
    function : callable
        E.g. a Keras model (``model(batch, training=False)`` is what is timed if you
        pass ``lambda batch: model(batch, training=False)``) or a :class:`TFLiteModel`.
    *arguments
        Passed to each call.
    pixels : int
        Output pixels of one call (height times width times batch), for the throughput.
    repeats, warmup : int

    Returns
    -------
    Latency

    Notes
    -----
    The first call of a Keras or TFLite model builds or prepares its graph for the
    input's shape, and can take many times longer than the next: that is what the
    warm-up absorbs. Timings depend on the machine and on whatever else runs on it;
    the median of several runs is the number to compare.
    """
    if not callable(function):
        raise TypeError(f"function must be callable; got {type(function).__name__}")
    pixels = check_integer(pixels, "pixels", minimum=1)
    repeats = check_integer(repeats, "repeats", minimum=1)
    warmup = check_integer(warmup, "warmup", minimum=0)
    for _ in range(warmup):
        np.asarray(function(*arguments))
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        np.asarray(function(*arguments))
        seconds.append(time.perf_counter() - started)
    return Latency(tuple(seconds), pixels)
