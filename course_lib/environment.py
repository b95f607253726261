"""Set-up of a notebook session: quiet TensorFlow, seeds, CPU threads, and a version report.

Every notebook's first cell is::

    import course_lib
    course_lib.setup()

which makes the notebook repeatable (the same seed everywhere), keeps TensorFlow's
start-up chatter out of the output, and says clearly when something the course
needs is missing or too old, before the learner meets a confusing error later.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import platform
import random
import sys
from dataclasses import dataclass, field

import numpy as np

from ._validation import check_choice, check_integer

__all__ = ["setup", "environment_report", "EnvironmentReport", "MINIMUM_VERSIONS"]

#: The oldest versions the course is tested with, by distribution name.
MINIMUM_VERSIONS = {
    "numpy": "1.24",
    "scipy": "1.10",
    "matplotlib": "3.7",
    "scikit-image": "0.22",
    "scikit-learn": "1.3",
    "pillow": "10.0",
    "ipywidgets": "8.0",
    "jupyterlab_widgets": "3.0",
    "ipyevents": "2.0",
    "bm3d": "4.0",
    "tqdm": "4.60",
    "keras": "3.10",
}

# TensorFlow ships as different distributions per platform; any one of them will do.
_TENSORFLOW_DISTRIBUTIONS = ("tensorflow-cpu", "tensorflow", "tensorflow-macos", "tensorflow-intel")
_TENSORFLOW_MINIMUM = "2.16"


def _version_tuple(text: str) -> tuple:
    parts = []
    for piece in text.split("."):
        digits = "".join(character for character in piece if character.isdigit())
        if not digits:
            break
        parts.append(int(digits))
        if len(digits) != len(piece):
            break
    return tuple(parts)


def _installed_version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


@dataclass
class EnvironmentReport:
    """What :func:`setup` found: versions, threads, seed, and warnings.

    Attributes
    ----------
    versions : dict
        Distribution name to installed version (None when missing).
    warnings : list of str
        One plain sentence per problem, with what to do about it.
    seed : int
        The seed given to Python, NumPy and Keras.
    threads : int
        The CPU threads TensorFlow was asked to use.
    """

    versions: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    seed: int = 0
    threads: int = 0

    @property
    def ok(self) -> bool:
        """True when nothing needs the learner's attention."""
        return not self.warnings

    def summary(self) -> str:
        """A few lines for the notebook: versions, then warnings (if any)."""
        shown = ["python", "numpy", "tensorflow", "keras", "scikit-image", "ipywidgets"]
        parts = [f"{name} {self.versions.get(name) or 'MISSING'}" for name in shown]
        lines = [
            "course_lib " + self.versions.get("course_lib", "?") + " | " + " | ".join(parts),
            f"seed {self.seed} | CPU threads {self.threads} | {platform.system()} {platform.machine()}",
        ]
        if self.warnings:
            lines += [f"WARNING: {message}" for message in self.warnings]
        else:
            lines.append("Environment OK.")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def environment_report() -> EnvironmentReport:
    """Check installed versions and the widget front end, without importing TensorFlow.

    Returns
    -------
    EnvironmentReport
        With ``versions`` filled in and one warning per missing or outdated
        dependency. The widget check looks for ``ipywidgets`` 8 and its
        JupyterLab front end ``jupyterlab_widgets`` 3 (without it, widgets show
        as "Error displaying widget" or as plain text), and for ``ipyevents`` 2,
        whose wheel carries its own front end (the mouse events of
        :class:`course_lib.widgets.MaskPainter`).
    """
    from . import __version__

    report = EnvironmentReport()
    report.versions["course_lib"] = __version__
    report.versions["python"] = platform.python_version()
    if sys.version_info < (3, 10):
        report.warnings.append(
            f"Python {platform.python_version()} is too old; the course needs Python 3.10 or newer."
        )
    for distribution, minimum in MINIMUM_VERSIONS.items():
        version = _installed_version(distribution)
        report.versions[distribution] = version
        if version is None:
            if distribution == "jupyterlab_widgets":
                report.warnings.append(
                    "The widget front end (jupyterlab_widgets) is missing, so sliders will not show "
                    "in JupyterLab: run `pip install 'jupyterlab_widgets>=3'` and restart JupyterLab."
                )
            elif distribution == "ipyevents":
                report.warnings.append(
                    "ipyevents (mouse events for widgets, with its JupyterLab front end) is missing, so the "
                    "mask painter of notebook 08 cannot be painted on: run `pip install 'ipyevents>=2,<3'` "
                    "and restart JupyterLab."
                )
            else:
                report.warnings.append(
                    f"{distribution} is not installed: run `pip install -e .` in the course folder."
                )
        elif _version_tuple(version) < _version_tuple(minimum):
            report.warnings.append(
                f"{distribution} {version} is older than the {minimum} the course needs: "
                f"run `pip install -U '{distribution}>={minimum}'`."
            )
    tensorflow_version = None
    for distribution in _TENSORFLOW_DISTRIBUTIONS:
        tensorflow_version = _installed_version(distribution)
        if tensorflow_version:
            break
    report.versions["tensorflow"] = tensorflow_version
    if tensorflow_version is None:
        report.warnings.append(
            "TensorFlow is not installed: run `pip install -e .` (it installs tensorflow-cpu, or "
            "tensorflow on macOS)."
        )
    elif _version_tuple(tensorflow_version) < _version_tuple(_TENSORFLOW_MINIMUM):
        report.warnings.append(
            f"TensorFlow {tensorflow_version} is older than {_TENSORFLOW_MINIMUM}, the first release "
            "that works with Keras 3."
        )
    ipywidgets_version = report.versions.get("ipywidgets")
    widgets_front_end = report.versions.get("jupyterlab_widgets")
    if ipywidgets_version and widgets_front_end:
        if _version_tuple(ipywidgets_version)[:1] == (8,) and _version_tuple(widgets_front_end)[:1] != (3,):
            report.warnings.append(
                f"ipywidgets {ipywidgets_version} needs jupyterlab_widgets 3.x, found "
                f"{widgets_front_end}: widgets may show as 'Error displaying widget'."
            )
    return report


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)


def setup(
    seed: int = 0,
    *,
    threads: int | None = None,
    tensorflow: bool = True,
    deterministic: bool = True,
    onednn: bool = True,
    figure_format: str = "jpeg",
    verbose: bool = True,
) -> EnvironmentReport:
    """Prepare a notebook session: quiet logs, seeds, CPU threads, version report.

    Parameters
    ----------
    seed : int
        Seed for Python's ``random``, NumPy's global generator and, when
        TensorFlow is loaded, Keras (``keras.utils.set_random_seed``).
    threads : int, optional
        CPU threads for TensorFlow's operations. Defaults to the number of CPU
        cores (``os.cpu_count()``).
    tensorflow : bool
        Import TensorFlow and Keras now (a few seconds) so that they are seeded
        and their threads set. Notebooks without models may pass False.
    deterministic : bool
        Ask TensorFlow for deterministic kernels
        (``tf.config.experimental.enable_op_determinism``), so that training
        cells give the same numbers on every run on the same machine.
    onednn : bool
        Run TensorFlow's oneDNN kernels (the default, which ``import course_lib``
        also asks for) or, with False, TensorFlow's own. Which is faster depends on
        the network: on a 2-core AVX2 CPU, oneDNN trained notebook 04's and 05's
        CNNs 2-3 times as fast, but ran the partial-convolution U-Net about 1.35
        times slower and made notebooks 07-09 15-20% slower. It only takes effect
        before TensorFlow is imported (setup warns otherwise), and never overrides a
        ``TF_ENABLE_ONEDNN_OPTS`` the learner set.
    figure_format : {"jpeg", "png"}
        How a notebook stores its matplotlib figures. JPEG (quality 92) keeps
        notebooks full of photographs small; PNG is lossless, for looking at
        subtle artifacts. Only the figures are affected: computations never,
        and the live widgets always show lossless PNG. Outside Jupyter this
        does nothing.
    verbose : bool
        Print the report (versions, then any warnings).

    Returns
    -------
    EnvironmentReport
        Versions found and warnings, also printed when `verbose`.

    Notes
    -----
    TensorFlow reads ``TF_CPP_MIN_LOG_LEVEL`` and ``TF_ENABLE_ONEDNN_OPTS`` only
    when it is first imported. ``import course_lib`` sets both (to 3 and 1)
    unless the learner set them already, so they take effect as long as
    TensorFlow was not imported before ``course_lib``; setup warns otherwise.
    With `deterministic`, a cell gives the same numbers on every run on the same
    machine; on another CPU the oneDNN kernels may round differently in the last
    digits.
    ``TF_ENABLE_ONEDNN_OPTS=0``, set before Jupyter starts, gives TensorFlow's
    slower own kernels.
    """
    seed = check_integer(seed, "seed", minimum=0)
    check_choice(figure_format, "figure_format", ("jpeg", "png"))
    if threads is None:
        threads = os.cpu_count() or 1
    threads = check_integer(threads, "threads", minimum=1)
    tensorflow_imported_before = "tensorflow" in sys.modules
    kernels_warning = choose_cpu_kernels(onednn, who="setup")
    if kernels_warning:
        kernels_warning += "; restart the kernel and run this cell first."
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    _seed_everything(seed)
    _configure_figures(figure_format)
    report = environment_report()
    if kernels_warning and tensorflow:
        report.warnings.append(kernels_warning)
    report.seed = seed
    report.threads = threads
    if tensorflow and report.versions.get("tensorflow"):
        if tensorflow_imported_before and os.environ.get("TF_CPP_MIN_LOG_LEVEL") != "3":
            report.warnings.append(
                "TensorFlow was imported before course_lib, so its start-up logs were not silenced; "
                "put `import course_lib` first."
            )
        _configure_tensorflow(seed, threads, deterministic, report)
    if verbose:
        print(report.summary())
    return report


def choose_cpu_kernels(onednn: bool, *, who: str = "course_lib") -> str | None:
    """Ask for TensorFlow's oneDNN kernels, or its own, before TensorFlow is imported.

    Sets ``TF_ENABLE_ONEDNN_OPTS`` to ``"1"`` or ``"0"``, which TensorFlow reads once,
    when it is imported. A value the user set before ``import course_lib`` is never
    changed. Returns None, or a sentence saying that TensorFlow was imported already
    with other kernels (nothing is changed then: it would not take effect); `who`
    names the caller in it.
    """
    import course_lib

    wanted = "1" if onednn else "0"
    if course_lib.ONEDNN_SET_BY_USER or os.environ.get("TF_ENABLE_ONEDNN_OPTS") == wanted:
        return None
    if "tensorflow" in sys.modules:  # too late: TensorFlow read the variable when it was imported
        return (f"TensorFlow was imported before {who} could turn its oneDNN kernels "
                f"{'on' if onednn else 'off'}; it runs on the kernels it started with")
    os.environ["TF_ENABLE_ONEDNN_OPTS"] = wanted
    return None


def _configure_figures(figure_format: str) -> None:
    """Choose the inline figure format when running in a Jupyter kernel; otherwise do nothing."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the course
        return
    shell = get_ipython()
    if shell is None or "IPKernelApp" not in getattr(shell, "config", {}):
        return
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    if figure_format == "jpeg":
        set_matplotlib_formats("jpeg", pil_kwargs={"quality": 92})
    else:
        set_matplotlib_formats("png")


#: What TensorFlow's C++ code prints on stderr when it is imported, before any line of the course:
#: absl's preface and its informational lines (oneDNN, CPU features), which say nothing to act on.
_TENSORFLOW_IMPORT_NOISE = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "To enable the following instructions:",
)


def _is_tensorflow_noise(line: str) -> bool:
    import re

    return line.startswith(_TENSORFLOW_IMPORT_NOISE) or re.match(r"I\d{4} [\d:. ]+\d+ \S+:\d+\] ", line) is not None


def import_tensorflow_quietly() -> None:
    """Import TensorFlow and Keras with their start-up chatter on stderr filtered out.

    TensorFlow's C++ code writes to file descriptor 2 directly (absl's preface and
    the notice that its oneDNN kernels are on, whatever ``TF_CPP_MIN_LOG_LEVEL``
    says), so the descriptor is pointed at a temporary file during the import;
    every line that is not known chatter (a real warning or error) is printed
    afterwards. In a Jupyter kernel, which shows what reaches descriptor 2 in the
    notebook, this keeps the chatter out of the first cell's output.
    """
    import tempfile

    if "tensorflow" in sys.modules:
        return
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # pragma: no cover - no stderr descriptor at all
        importlib.import_module("tensorflow")
        return
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            importlib.import_module("tensorflow")
            importlib.import_module("keras")
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
        captured.seek(0)
        text = captured.read().decode("utf-8", errors="replace")
    for line in text.splitlines():
        if line.strip() and not _is_tensorflow_noise(line):
            print(line, file=sys.stderr)


def _configure_tensorflow(seed: int, threads: int, deterministic: bool, report: EnvironmentReport) -> None:
    try:
        import_tensorflow_quietly()
        tensorflow_module = importlib.import_module("tensorflow")
        keras = importlib.import_module("keras")
    except Exception as error:  # an import that fails half-way, e.g. a broken wheel
        report.warnings.append(f"TensorFlow failed to import ({type(error).__name__}: {error}).")
        return
    try:
        tensorflow_module.config.threading.set_intra_op_parallelism_threads(threads)
        tensorflow_module.config.threading.set_inter_op_parallelism_threads(min(threads, 2))
    except RuntimeError:
        # TensorFlow's runtime has started already (setup was called twice); the
        # thread pools cannot change any more, which is harmless.
        pass
    keras.utils.set_random_seed(seed)
    if deterministic:
        try:
            tensorflow_module.config.experimental.enable_op_determinism()
        except Exception:  # pragma: no cover - very old TensorFlow
            report.warnings.append("This TensorFlow cannot enable deterministic operations.")
