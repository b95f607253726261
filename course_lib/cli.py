"""The course's command line: ``python -m course_lib COMMAND ...``.

Commands
--------
check-env         report versions and anything missing (what notebook 00 does)
images            list the bundled images with their split, source and licence
build-notebooks   write the exercise notebooks in notebooks/ from solutions/
execute-notebooks run solution notebooks in place and save them with their outputs
grade             run learners' notebooks; report each exercise as passed, failed or not attempted
build-site        build the course website (static HTML pages of the solutions, index, guide)
build-nbgrader    write the course as an nbgrader course folder (one assignment per notebook)
download          fetch a public benchmark set (Set12, BSD68) to score on; optional, needs internet
train dncnn       train a denoiser (checkpoints every epoch, --resume)
restore denoise   denoise your images with the shipped (or your) model
evaluate denoise  compare classical and learned denoisers on the test split, table + CSV/JSON + figure
train sr          train a super-resolution network (SRCNN, ESPCN, VDSR-style)
restore sr        upscale your images with the shipped (or your) model
evaluate sr       compare interpolation and the SR networks under the SR protocol
train inpaint     train the inpainting U-Net of partial convolutions
restore inpaint   fill holes (one mask per image) with the shipped (or your) model
evaluate inpaint  compare biharmonic and the inpainting networks inside seeded holes
evaluate all      the course scoreboard: every task's methods, one table + CSV/JSON/Markdown + figure

Every command has ``--help``. Errors print one line starting with ``error:``
and exit with status 2; nothing in the library imports this module.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["main", "build_parser"]

_REPOSITORY = Path(__file__).resolve().parents[1]


class CommandError(Exception):
    """A problem with the user's input, reported as one line without a traceback."""


def _command_check_env(arguments: argparse.Namespace) -> int:
    from .environment import setup

    report = setup(seed=0, tensorflow=not arguments.skip_tensorflow, verbose=True)
    return 0 if report.ok else 1


def _command_images(arguments: argparse.Namespace) -> int:
    from . import data

    names = data.list_images(split=arguments.split)
    width = max(len(name) for name in names)
    for name in names:
        info = data.image_info(name)
        print(f"{name:<{width}}  {info.split:<5}  {info.kind:<10}  {info.licence}  ({info.source})")
    return 0


def _command_build_notebooks(arguments: argparse.Namespace) -> int:
    from .student_notebooks import build_notebooks

    result = build_notebooks(arguments.solutions, arguments.out, check=arguments.check, force=arguments.force)
    report = result.report()
    if report:
        print(report)
    if arguments.check and result.stale:
        print(f"error: {len(result.stale)} exercise notebook(s) out of date; run "
              "`python -m course_lib build-notebooks`", file=sys.stderr)
        return 1
    if result.protected:
        print(f"error: {len(result.protected)} notebook(s) you edited were not overwritten; "
              "add --force to replace them (a backup is kept)", file=sys.stderr)
        return 1
    return 0


def _command_execute_notebooks(arguments: argparse.Namespace) -> int:
    from .notebook_execution import execute_notebook

    failures = 0
    for path in arguments.notebooks:
        try:
            seconds = execute_notebook(path, timeout=arguments.timeout)
        except RuntimeError as error:
            print(f"error: {error}", file=sys.stderr)
            failures += 1
            continue
        print(f"{path}: executed in {seconds:.1f} s")
    return 1 if failures else 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand (also used to test ``--help``)."""
    parser = argparse.ArgumentParser(
        prog="python -m course_lib",
        description="Deep Image Restoration: the course's command line.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    check_env = commands.add_parser("check-env", help="report versions and anything missing",
                                    description="Check the installation: versions, TensorFlow, the widget front end.")
    check_env.add_argument("--skip-tensorflow", action="store_true", help="do not import TensorFlow (faster)")
    check_env.set_defaults(handler=_command_check_env)

    images = commands.add_parser("images", help="list the bundled images",
                                 description="List the images that ship inside the installed wheels.")
    images.add_argument("--split", choices=["train", "test", "extra"], help="only this split")
    images.set_defaults(handler=_command_images)

    build = commands.add_parser(
        "build-notebooks", help="write notebooks/ (exercises) from solutions/",
        description="Generate the exercise notebooks from the solution notebooks: solution regions become "
                    "stubs, outputs and widget state are removed. Notebooks you edited are kept unless --force.")
    build.add_argument("--solutions", type=Path, default=_REPOSITORY / "solutions", help="solution notebooks folder")
    build.add_argument("--out", type=Path, default=_REPOSITORY / "notebooks", help="exercise notebooks folder")
    build.add_argument("--check", action="store_true", help="write nothing; fail if notebooks/ is out of date")
    build.add_argument("--force", action="store_true", help="overwrite edited notebooks (keeping a backup)")
    build.set_defaults(handler=_command_build_notebooks)

    execute = commands.add_parser(
        "execute-notebooks", help="run solution notebooks in place, saving their outputs",
        description="Execute notebooks top to bottom in a fresh kernel and save them with their outputs "
                    "(widget state stripped). A notebook with a failing cell is left unchanged.")
    execute.add_argument("notebooks", nargs="+", type=Path, metavar="NOTEBOOK", help=".ipynb files")
    execute.add_argument("--timeout", type=int, default=900, help="seconds allowed per cell (default 900)")
    execute.set_defaults(handler=_command_execute_notebooks)

    from .commands import denoising, downloads, grading, inpainting, scoreboard, site, super_resolution
    from .commands import nbgrader_export

    grading.add_grade(commands)
    nbgrader_export.add_build_nbgrader(commands)
    site.add_build_site(commands)
    downloads.add_download(commands)

    train = commands.add_parser("train", help="train one of the course's models",
                                description="Train one of the course's models.")
    train_models = train.add_subparsers(dest="model", metavar="MODEL")
    train_models.required = True
    denoising.add_train_dncnn(train_models)
    super_resolution.add_train_sr(train_models)
    inpainting.add_train_inpaint(train_models)

    restore = commands.add_parser("restore", help="restore your images with the course's models",
                                  description="Restore images with the course's trained models.")
    restore_tasks = restore.add_subparsers(dest="task", metavar="TASK")
    restore_tasks.required = True
    denoising.add_restore_denoise(restore_tasks)
    super_resolution.add_restore_sr(restore_tasks)
    inpainting.add_restore_inpaint(restore_tasks)

    evaluate = commands.add_parser("evaluate", help="compare methods on the test images",
                                   description="Score classical and learned methods on the same images.")
    evaluate_tasks = evaluate.add_subparsers(dest="task", metavar="TASK")
    evaluate_tasks.required = True
    denoising.add_evaluate_denoise(evaluate_tasks)
    super_resolution.add_evaluate_sr(evaluate_tasks)
    inpainting.add_evaluate_inpaint(evaluate_tasks)
    scoreboard.add_evaluate_all(evaluate_tasks)
    return parser


#: Commands whose networks run faster on TensorFlow's own kernels than on oneDNN's (which
#: ``import course_lib`` asks for): the partial-convolution U-Net filled a 512x512 RGB image in
#: 2.3 s against 3.1 s (medians of 3, two alternating runs each, 2-core AVX2 EPYC).
OWN_KERNEL_COMMANDS = (("restore", "inpaint"), ("evaluate", "inpaint"))


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    arguments = parser.parse_args(argv)
    arguments.argv = argv
    try:
        if tuple(argv[:2]) in OWN_KERNEL_COMMANDS and "tensorflow" not in sys.modules:  # else: too late, and
            # the caller (a test, a notebook calling main) runs on the kernels it chose
            from .commands.common import prefer_fast_cpu_kernels

            prefer_fast_cpu_kernels(deterministic=True)  # TensorFlow's own kernels (unless the user chose)
        return arguments.handler(arguments)
    except (CommandError, ValueError, FileNotFoundError, FileExistsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
