"""Networks of the course, and how to apply, save and load them.

Importing this subpackage imports Keras (and TensorFlow). It knows nothing of
training loops, plots or widgets: those live in :mod:`course_lib.training` and
:mod:`course_lib.widgets`, which sit above it.

- :mod:`.layers`: pixel unshuffle / shuffle (space-to-depth, depth-to-space);
- :mod:`.denoisers`: the small CNN and DnCNN (residual or plain, with or without BatchNorm);
- :mod:`.noise_map_denoisers`: FFDNet and a small residual U-Net, which take a noise-level map;
- :mod:`.cost`: multiply-adds per pixel, counted layer by layer;
- :mod:`.super_resolution`: SRCNN, ESPCN (sub-pixel) and a VDSR-style residual network;
- :mod:`.inpainting`: the partial convolution, a U-Net inpainting generator, a PatchGAN discriminator;
- :mod:`.gan_losses`, :mod:`.gan`: GAN losses from logits, and GAN training models with their own
  ``train_step`` (two optimizers, discriminator then generator);
- :mod:`.inference`: tiled application to images of any size, self-ensemble, throughput;
- :mod:`.precision`: bfloat16 training where the CPU has it, float32 for every saved model;
- :mod:`.saving`: safe loading of ``.keras`` files, atomic saving, the shipped models.
- :mod:`.deployment`: TensorFlow Lite conversion (float32, float16, dynamic-range int8), latency.
"""

from .denoisers import describe_model, dncnn, receptive_field, size_multiple, small_cnn_denoiser
from .noise_map_denoisers import NOISE_LEVEL_INPUT, ffdnet, residual_unet, takes_noise_level
from .cost import TRAINING_COST_FACTOR, multiply_adds_per_output_pixel, multiply_adds_per_pixel
from .inference import (
    Throughput,
    apply_model,
    denoise,
    dihedral_transform,
    inpaint,
    inpainting_multiple,
    measure_throughput,
    output_scale,
    super_resolve,
)
from .super_resolution import SR_SCALES, edsr, espcn, srcnn, takes_low_resolution, vdsr
from .gan import GAN, AdversarialModel, InpaintingGAN
from .gan_losses import GAN_LOSSES, discriminator_loss, generator_loss
from .inpainting import CloseHoles, PartialConv2D, composite, inpainting_unet, patch_discriminator
from .precision import PRECISIONS, model_precision, precision_scope, with_precision
from .deployment import (
    TFLITE_MODES,
    Latency,
    TFLiteModel,
    apply_tflite,
    convert_to_tflite,
    dequantize,
    measure_latency,
    quantize_symmetric,
)
from .layers import PixelShuffle, PixelUnshuffle, depth_to_space, space_to_depth
from .saving import (
    DATA_FOLDER,
    SHIPPED_DENOISER_SIGMAS,
    SHIPPED_SR_ARCHITECTURES,
    SHIPPED_SR_SCALES,
    load_model,
    load_shipped_sr,
    load_shipped_inpainter,
    shipped_inpainter_path,
    load_shipped_denoiser,
    SHIPPED_UNET_SIGMA_RANGE,
    shipped_unet_denoiser_path,
    load_shipped_unet_denoiser,
    read_provenance,
    save_model,
    shipped_denoiser_path,
    shipped_sr_path,
)

__all__ = [
    "inpaint",
    "inpainting_multiple",
    "GAN",
    "InpaintingGAN",
    "AdversarialModel",
    "GAN_LOSSES",
    "discriminator_loss",
    "generator_loss",
    "PartialConv2D",
    "inpainting_unet",
    "CloseHoles",
    "patch_discriminator",
    "composite",
    "dncnn",
    "ffdnet",
    "residual_unet",
    "takes_noise_level",
    "NOISE_LEVEL_INPUT",
    "multiply_adds_per_pixel",
    "multiply_adds_per_output_pixel",
    "TRAINING_COST_FACTOR",
    "small_cnn_denoiser",
    "describe_model",
    "receptive_field",
    "size_multiple",
    "srcnn",
    "edsr",
    "espcn",
    "vdsr",
    "takes_low_resolution",
    "SR_SCALES",
    "apply_model",
    "output_scale",
    "super_resolve",
    "denoise",
    "dihedral_transform",
    "measure_throughput",
    "Throughput",
    "PixelUnshuffle",
    "PixelShuffle",
    "space_to_depth",
    "depth_to_space",
    "PRECISIONS",
    "precision_scope",
    "model_precision",
    "with_precision",
    "save_model",
    "load_model",
    "DATA_FOLDER",
    "SHIPPED_DENOISER_SIGMAS",
    "shipped_denoiser_path",
    "load_shipped_denoiser",
    "SHIPPED_UNET_SIGMA_RANGE",
    "shipped_unet_denoiser_path",
    "load_shipped_unet_denoiser",
    "read_provenance",
    "SHIPPED_SR_ARCHITECTURES",
    "SHIPPED_SR_SCALES",
    "shipped_sr_path",
    "load_shipped_sr",
    "shipped_inpainter_path",
    "load_shipped_inpainter",
    "TFLITE_MODES",
    "convert_to_tflite",
    "TFLiteModel",
    "apply_tflite",
    "quantize_symmetric",
    "dequantize",
    "Latency",
    "measure_latency",
]
