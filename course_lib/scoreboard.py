"""The course scoreboard: every task's methods, classical and learned, in one table and one figure.

Each task is scored by its own protocol (:mod:`course_lib.evaluation`): Gaussian
denoising of gray images at a noise level sigma (PSNR/SSIM over the image),
super-resolution at a scale (PSNR/SSIM on Y, border = scale) and inpainting of
free-form holes (PSNR/SSIM inside the hole). A :class:`Scoreboard` gathers the
mean of each method on each task with its cost, seconds per image and
parameters, which is the course's answer to "what should I use?":

one row per task and method, best PSNR first, with its kind (reference,
classical or learned), mean PSNR and SSIM, seconds per image and parameters.
PSNR values of different tasks are not comparable with each other (different
protocols and regions); compare methods within a task.

:func:`build_scoreboard` runs every task's registry of methods (:mod:`course_lib.evaluation`)
on the same images and builds one; ``python -m course_lib evaluate all`` calls it and writes
the result; :meth:`Scoreboard.read` loads a written one.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["ScoreboardEntry", "Scoreboard", "KINDS", "TASKS", "build_scoreboard"]

#: What a method is: a baseline that does nothing clever, a classical algorithm, or a trained network.
KINDS = ("reference", "classical", "learned")

#: The tasks a scoreboard can run.
TASKS = ("denoise", "sr", "inpaint")


@dataclass(frozen=True)
class ScoreboardEntry:
    """One method on one task, averaged over the test images.

    Attributes
    ----------
    task : str
        For example ``"denoise sigma=25"``, ``"super-resolution x4"``, ``"inpainting"``.
    method : str
    kind : {"reference", "classical", "learned"}
    psnr, ssim : float
        Means over the images under the task's protocol (dB; SSIM in [-1, 1]).
    seconds : float
        Mean wall-clock seconds per image on this machine.
    parameters : int or None
        Trainable and non-trainable weights of a learned method (None otherwise).
    images : int
        How many scores the means average (images, or images x holes).
    """

    task: str
    method: str
    kind: str
    psnr: float
    ssim: float
    seconds: float
    parameters: int | None = None
    images: int = 0


@dataclass
class Scoreboard:
    """Entries of every task, with a table, a figure, CSV/JSON/Markdown output, and the winner per task."""

    entries: list = field(default_factory=list)
    testset: str = ""
    notes: list = field(default_factory=list)

    def tasks(self) -> list[str]:
        return list(dict.fromkeys(entry.task for entry in self.entries))

    def task_entries(self, task: str) -> list[ScoreboardEntry]:
        """The entries of `task`, best PSNR first."""
        entries = [entry for entry in self.entries if entry.task == task]
        if not entries:
            raise ValueError(f"no entries for task {task!r}; the scoreboard has {self.tasks()}")
        return sorted(entries, key=lambda entry: -entry.psnr)

    def best(self, task: str) -> ScoreboardEntry:
        """The method with the highest mean PSNR on `task`."""
        return self.task_entries(task)[0]

    def add_table(self, task: str, table, *, level=None, kinds: dict | None = None,
                  parameters: dict | None = None) -> None:
        """Add every method of an evaluation table (:class:`course_lib.evaluation.ResultsTable`) at one level.

        Parameters
        ----------
        task : str
        table : ResultsTable or InpaintingTable
        level : float, optional
            The sigma or scale whose rows to take (ignored by an inpainting table).
        kinds : dict, optional
            ``{method: kind}``; a method not listed is ``"classical"``.
        parameters : dict, optional
            ``{method: parameter count}`` of the learned methods.
        """
        kinds, parameters = kinds or {}, parameters or {}
        for method in table.methods():
            rows = [result for result in table.results
                    if result.method == method and (level is None or result.level == level)]
            if not rows:
                continue
            kind = kinds.get(method, "classical")
            if kind not in KINDS:
                raise ValueError(f"kinds[{method!r}] must be one of {KINDS}; got {kind!r}")
            self.entries.append(ScoreboardEntry(
                task, method, kind,
                psnr=float(np.mean([row.psnr for row in rows])), ssim=float(np.mean([row.ssim for row in rows])),
                seconds=float(np.mean([row.seconds for row in rows])),
                parameters=None if parameters.get(method) is None else int(parameters[method]), images=len(rows)))

    # ---------------------------------------------------------------- output

    def _rows(self) -> list[list[str]]:
        rows = []
        for task in self.tasks():
            best = self.best(task)
            for entry in self.task_entries(task):
                rows.append([task, entry.method + (" *" if entry is best else ""), entry.kind, f"{entry.psnr:.2f}",
                             f"{entry.ssim:.4f}", f"{entry.seconds:.3f}",
                             "-" if entry.parameters is None else f"{entry.parameters:,}"])
        return rows

    _HEADER = ["task", "method", "kind", "PSNR (dB)", "SSIM", "s/image", "parameters"]

    def format(self) -> str:
        """A plain-text table, one block per task, best PSNR first and starred."""
        rows = self._rows()
        widths = [max(len(row[column]) for row in [self._HEADER] + rows) for column in range(len(self._HEADER))]
        lines = [f"scoreboard on {self.testset}" if self.testset else "scoreboard",
                 "  ".join(text.ljust(width) for text, width in zip(self._HEADER, widths))]
        previous = None
        for row in rows:
            if previous is not None and row[0] != previous:
                lines.append("")
            lines.append("  ".join(text.ljust(width) for text, width in zip(row, widths)))
            previous = row[0]
        lines.extend(self.notes)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format()

    def to_markdown(self) -> str:
        """The table in Markdown (for the README's copy)."""
        lines = ["| " + " | ".join(self._HEADER) + " |", "|" + "---|" * len(self._HEADER)]
        lines += ["| " + " | ".join(row) + " |" for row in self._rows()]
        return "\n".join(lines)

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["task", "method", "kind", "psnr", "ssim", "seconds", "parameters", "images"])
        for entry in self.entries:
            writer.writerow([entry.task, entry.method, entry.kind, f"{entry.psnr:.4f}", f"{entry.ssim:.5f}",
                             f"{entry.seconds:.4f}", "" if entry.parameters is None else entry.parameters,
                             entry.images])
        return buffer.getvalue()

    def to_dict(self) -> dict:
        return {"testset": self.testset, "notes": list(self.notes),
                "entries": [asdict(entry) for entry in self.entries],
                "best": {task: self.best(task).method for task in self.tasks()}}

    @classmethod
    def from_dict(cls, record: dict) -> "Scoreboard":
        try:
            entries = [ScoreboardEntry(**entry) for entry in record["entries"]]
        except (KeyError, TypeError) as error:
            raise ValueError(f"not a scoreboard record: {error}") from None
        return cls(entries, testset=record.get("testset", ""), notes=list(record.get("notes", [])))

    @classmethod
    def read(cls, path) -> "Scoreboard":
        """Load a scoreboard written by :meth:`write` (its ``.json``)."""
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"path {str(path)!r} does not exist; expected a scoreboard .json")
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ValueError(f"path {str(path)!r} is not valid JSON: {error}") from None
        return cls.from_dict(record)

    def figure(self):
        """One panel per task: mean PSNR against seconds per image (log scale), learned methods as stars.

        Returns
        -------
        matplotlib.figure.Figure
        """
        import matplotlib.pyplot as plt

        tasks = self.tasks()
        columns = min(4, max(1, len(tasks)))
        rows = math.ceil(len(tasks) / columns)
        figure, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.4 * rows), squeeze=False)
        markers = {"reference": "x", "classical": "o", "learned": "*"}
        for axis, task in zip(axes.flat, tasks):
            for entry in self.task_entries(task):
                seconds = max(entry.seconds, 1e-4)
                axis.scatter(seconds, entry.psnr, marker=markers[entry.kind], s=110 if entry.kind == "learned" else 45,
                             color="tab:red" if entry.kind == "learned" else "tab:blue")
                axis.annotate(entry.method, (seconds, entry.psnr), textcoords="offset points", xytext=(5, 3),
                              fontsize=8)
            axis.set_xscale("log")
            axis.set_title(task, fontsize=10)
            axis.set_xlabel("seconds per image")
            axis.set_ylabel("mean PSNR (dB)")
            axis.grid(alpha=0.3)
        for axis in list(axes.flat)[len(tasks):]:
            axis.axis("off")
        figure.suptitle("Course scoreboard: quality against cost (stars: learned, dots: classical)", fontsize=11)
        figure.tight_layout()
        return figure

    def write(self, folder, *, stem: str = "scoreboard", figure: bool = True) -> list[Path]:
        """Write ``<stem>.txt``, ``.md``, ``.csv``, ``.json`` (and ``.png``) into `folder`; returns the paths."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        page = ["# Course scoreboard", "", f"On {self.testset or 'the test images'}; the best mean PSNR of each "
                "task is starred. Compare methods within a task: each task has its own protocol.", "",
                self.to_markdown(), ""] + [f"- {note}" for note in self.notes]
        if figure:
            page += ["", f"![mean PSNR against seconds per image, per task]({stem}.png)"]
        for suffix, text in [(".txt", self.format() + "\n"), (".md", "\n".join(page) + "\n"),
                             (".csv", self.to_csv()), (".json", json.dumps(self.to_dict(), indent=2) + "\n")]:
            path = folder / f"{stem}{suffix}"
            path.write_text(text, encoding="utf-8")
            written.append(path)
        if figure:
            import matplotlib.pyplot as plt

            drawn = self.figure()
            path = folder / f"{stem}.png"
            drawn.savefig(path, dpi=90)
            plt.close(drawn)
            written.append(path)
        return written


# --------------------------------------------------------------------------------------
# Building one
# --------------------------------------------------------------------------------------


def _load_images(testset, *, gray: bool) -> dict:
    """The bundled test split, or every image of the folder `testset`, in [0, 1]."""
    from . import data

    if testset is None:
        return data.load_split("test", gray=gray)
    return {name: np.clip(image, 0.0, 1.0) for name, image in data.load_folder(testset, gray=gray).items()}


def _central_crop(images: dict, size: int | None) -> dict:
    if size is None:
        return images
    cropped = {}
    for name, image in images.items():
        height, width = image.shape[:2]
        if size > min(height, width):
            raise ValueError(f"crop {size} is larger than image {name!r} ({height}x{width})")
        top, left = (height - size) // 2, (width - size) // 2
        cropped[name] = np.ascontiguousarray(image[top:top + size, left:left + size])
    return cropped


def build_scoreboard(*, testset=None, tasks=TASKS, sigmas=None, scales=None, masks_per_image: int = 4,
                     crop: int | None = None, progress=None, load_images=None) -> Scoreboard:
    """Run the chosen tasks on the test images and return a :class:`Scoreboard`.

    Every task runs its registry of methods, classical and learned
    (:data:`course_lib.evaluation.DENOISING_METHODS`, :data:`~course_lib.evaluation.SR_METHODS`,
    :data:`~course_lib.evaluation.INPAINTING_METHODS`), under its own protocol.

    Parameters
    ----------
    testset : str or os.PathLike, optional
        A folder of clean images (default: the bundled test split).
    tasks : sequence of {"denoise", "sr", "inpaint"}
    sigmas : sequence of float, optional
        Noise levels of the denoising task (default: :data:`course_lib.evaluation.STANDARD_SIGMAS`).
        Notebook 05's DnCNN joins where one was trained for that sigma, the noise-map U-Net
        within its range (:mod:`course_lib.models.shipped`).
    scales : sequence of int, optional
        Super-resolution scales (default: every :data:`course_lib.models.SHIPPED_SR_SCALES`).
    masks_per_image : int
        Inpainting holes per image.
    crop : int, optional
        Score the central ``crop x crop`` pixels of each image only (quick; not the protocol).
    progress : callable, optional
        Called with a short message before each method runs.
    load_images : callable, optional
        ``load_images(testset, gray=bool) -> {name: image}``, instead of reading the bundled
        test split or every image in `testset` (the command line checks the files as it reads them).

    Returns
    -------
    Scoreboard
    """
    from . import evaluation
    from .models import SHIPPED_SR_SCALES, load_shipped_inpainter

    sigmas = evaluation.STANDARD_SIGMAS if sigmas is None else sigmas
    scales = SHIPPED_SR_SCALES if scales is None else scales
    load_images = _load_images if load_images is None else load_images
    unknown = [task for task in tasks if task not in TASKS]
    if unknown or not tasks:
        raise ValueError(f"tasks must be a non-empty selection of {TASKS}; got {list(tasks)!r}")
    for sigma in sigmas:
        if not 0 < sigma <= 255:
            raise ValueError(f"sigmas must be in (0, 255]; got {sigma:g}")
    if crop is not None and crop < 16:
        raise ValueError(f"crop must be at least 16 pixels; got {crop}")
    board = Scoreboard(testset=str(testset) if testset is not None else "the bundled test split")
    if crop is not None:
        board.testset += f", central {crop}x{crop} crops (a quick look, not the protocol)"
    if "denoise" in tasks:
        images = _central_crop(load_images(testset, gray=True), crop)
        for sigma in sigmas:
            methods = evaluation.denoising_methods(evaluation.DENOISING_METHODS, sigma)
            table = evaluation.evaluate_denoisers(methods, images, [sigma], progress=progress)
            networks = evaluation.shipped_denoisers(evaluation.DENOISING_METHODS, sigma)
            board.add_table(f"denoise sigma={sigma:g}", table, level=sigma,
                            parameters={label: shipped.load().count_params() for label, shipped in networks.items()},
                            kinds={"noisy": "reference"} | {label: "learned" for label in networks})
        board.notes.append("denoise: gray images, Gaussian noise of the given sigma (8-bit scale), PSNR/SSIM over "
                           "the image")
    if "sr" in tasks:
        images = _central_crop(load_images(testset, gray=False), crop)
        methods = evaluation.sr_methods(evaluation.SR_METHODS, list(scales))
        table = evaluation.evaluate_super_resolution(methods, images, list(scales), progress=progress)
        for scale in scales:
            networks = evaluation.shipped_sr_models(evaluation.SR_METHODS, [scale])
            board.add_table(f"super-resolution x{scale}", table, level=scale,
                            kinds={"nearest": "reference"} | {label: "learned" for label in networks},
                            parameters={label: per_scale[scale].load().count_params()
                                        for label, per_scale in networks.items()})
        board.notes.append("super-resolution: bicubic downscaling, PSNR/SSIM on Y with a border of `scale` pixels")
    if "inpaint" in tasks:
        images = _central_crop(load_images(testset, gray=False), crop)
        table = evaluation.evaluate_inpainting(evaluation.inpainting_methods(evaluation.INPAINTING_METHODS), images,
                                               masks_per_image=masks_per_image, progress=progress)
        board.add_table("inpainting", table, kinds={"course model": "learned"},
                        parameters={"course model": load_shipped_inpainter().count_params()})
        board.notes.append(f"inpainting: {masks_per_image} seeded free-form hole{'s' if masks_per_image > 1 else ''} "
                           "per image, each covering 10-25% of it, PSNR/SSIM inside the hole")
    return board
