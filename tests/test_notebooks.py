"""Properties of the course notebooks, and a run of every exercise notebook with its stubs.

The solution notebooks themselves are executed and compared by nbval (``solutions/`` is
in the test paths). Here each exercise notebook, generated fresh from its solution, is
run top to bottom: the only acceptable outcome is that every check answers "not
attempted yet" and no cell raises.
"""

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from course_lib import checks
from course_lib.student_notebooks import make_exercise_notebook

REPOSITORY = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((REPOSITORY / "solutions").glob("*.ipynb"))
SHORTCUTS = REPOSITORY / "tests" / "exercise_run_shortcuts.py"
EXPECTED = ["00_welcome", "01_images_degradations_metrics", "02_classical_filters", "03_histograms_and_enhancement",
            "04_from_filters_to_cnns", "05_residual_learning_dncnn", "06_super_resolution", "07_gans",
            "08_gan_inpainting", "09_applications",
            "10_outlook"]


def _load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_the_course_notebooks_exist():
    names = [path.stem for path in SOLUTIONS]
    for name in EXPECTED:
        assert name in names, f"solutions/{name}.ipynb is missing"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda path: path.stem)
def test_solution_notebook_shape(path):
    notebook = _load(path)
    assert path.stat().st_size < 4_000_000, "keep a notebook under 4 MB"
    assert "widgets" not in notebook["metadata"], "saved widget state must be stripped"
    code = [_source(cell) for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert "course_lib.setup(" in code[0], "the first code cell calls course_lib.setup()"
    checked = [cell for cell in notebook["cells"]
               if "nbval-check-output" in cell.get("metadata", {}).get("tags", [])]
    assert checked, "no cell's output is checked by nbval (tag a cell nbval-check-output)"
    assert not any("# NBVAL_" in source for source in code), (
        "nbval markers are cell tags (nbval-check-output, nbval-ignore-output, nbval-skip), "
        "not comments a learner has to read")
    markdown = "\n".join(_source(cell) for cell in notebook["cells"] if cell["cell_type"] == "markdown")
    assert re.search(r"what we learned", markdown, re.IGNORECASE), "end with a 'what we learned' section"
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("execution_count") is not None or not _source(cell).strip(), (
                "solution notebooks are committed executed, with their outputs")
            assert not any(output.get("output_type") == "error" for output in cell["outputs"]), (
                f"a stored error output in {path.name}: {_source(cell)[:80]}")


@pytest.mark.parametrize("name", EXPECTED[1:])
def test_each_topic_notebook_has_at_least_three_checked_exercises_and_a_widget(name):
    notebook = _load(REPOSITORY / "solutions" / f"{name}.ipynb")
    code = "\n".join(_source(cell) for cell in notebook["cells"] if cell["cell_type"] == "code")
    keys = checks.list_exercises(name)
    assert len(keys) >= 3, f"{name} has {len(keys)} exercises"
    for key in keys:
        assert f"check_{key}(" in code, f"{name} never calls check_{key}"
    assert re.search(r"SwipeComparison\(|ParameterExplorer\(", code), f"{name} shows no widget"


@pytest.fixture(scope="session")
def stand_in_models(tmp_path_factory):
    """A folder of tiny untrained stand-ins for the shipped models (tests/exercise_stand_in_models.py)."""
    from exercise_stand_in_models import write_stand_in_models

    return write_stand_in_models(tmp_path_factory.mktemp("stand_in_models"))


def _run_exercise_notebook(path, tmp_path, stand_in_models=None):
    """Run the exercise version of `path` in a fresh kernel, in the course's fast mode.

    What this run tests is the stubs (no cell raises, every check answers "not
    attempted"), not the results, which nbval checks on the full solution notebook;
    so the kernel gets ``COURSE_LIB_FAST=1`` (the library's live trainings shrink to a
    few tiny steps), a first cell, removed again afterwards, from
    tests/exercise_run_shortcuts.py (Keras fits cut to two steps, BM3D to a box filter),
    and, given `stand_in_models`, ``COURSE_LIB_DATA`` set to that folder (tiny untrained
    networks in place of the shipped ones, which take seconds per test image).
    """
    import nbclient
    import nbformat

    exercise = make_exercise_notebook(_load(path), source_name=path.name)
    notebook = nbformat.reads(json.dumps(exercise), as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(SHORTCUTS.read_text(encoding="utf-8")))
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3", allow_errors=True,
                                     resources={"metadata": {"path": str(tmp_path)}})
    environment = {**os.environ, "COURSE_LIB_FAST": "1"}  # course_lib.training.FAST_MODE_VARIABLE
    if stand_in_models is not None:
        environment["COURSE_LIB_DATA"] = str(stand_in_models)  # course_lib.models.shipped.DATA_FOLDER_VARIABLE
    client.execute(env=environment)
    shortcuts = notebook.cells.pop(0)
    assert not [output for output in shortcuts.outputs if output.get("output_type") == "error"], shortcuts.outputs
    return notebook


def test_the_exercise_run_shortcuts_cut_image_fits_bm3d_and_biharmonic_and_nothing_else():
    """The first cell of the exercise runs, in a fresh interpreter (it patches Keras, bm3d and scikit-image).

    Fits on images are cut to two steps; fits on vectors keep their epochs, of two batches each.
    """
    script = SHORTCUTS.read_text(encoding="utf-8") + textwrap.dedent(
        """
        import json
        import numpy as np, keras, tensorflow as tf, bm3d
        from course_lib import evaluation, filters

        def model():
            keras.utils.set_random_seed(0)
            network = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
            network.compile("sgd", "mse")
            return network

        def image_model():
            keras.utils.set_random_seed(0)
            network = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Conv2D(1, 3, padding="same")])
            network.compile("sgd", "mse")
            return network

        x, y = np.ones((1000, 3), np.float32), np.ones((1000, 1), np.float32)
        images = np.ones((1000, 4, 4, 1), np.float32)
        dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(10)
        networks = [image_model(), model(), model(), model()]
        arrays = networks[0].fit(images, images, batch_size=10, epochs=7, verbose=0)
        stepped = networks[1].fit(dataset.repeat(), epochs=5, steps_per_epoch=40, verbose=0)
        unstepped = networks[2].fit(dataset, epochs=3, verbose=0)
        vectors = networks[3].fit(x[:40], y[:40], batch_size=10, epochs=3, verbose=0)
        image = np.random.default_rng(0).random((32, 32)).astype(np.float32)
        print(json.dumps({
            "epochs": [len(run.history["loss"]) for run in (arrays, stepped, unstepped, vectors)],
            "steps": [int(network.optimizer.iterations.numpy()) for network in networks],
            "bm3d": float(np.abs(filters.bm3d_denoise(image, 25)[5:-5, 5:-5]
                                 - np.mean([np.roll(np.roll(image, a, 0), b, 1) for a in (-1, 0, 1)
                                            for b in (-1, 0, 1)], axis=0)[5:-5, 5:-5]).max()),
            "rgb": list(filters.bm3d_denoise(np.stack([image] * 3, axis=-1), 25).shape),
            "biharmonic": [float(value) for value in evaluation.classical_inpainters()["biharmonic"](
                np.stack([image, 1 - image, np.zeros_like(image)], axis=-1), image > 0.9)[image > 0.9].mean(axis=0)],
            "known": [float(value) for value in np.stack([image, 1 - image, np.zeros_like(image)],
                                                         axis=-1)[image <= 0.9].mean(axis=0)],
        }))
        """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                            cwd=REPOSITORY)
    assert result.returncode == 0, result.stderr[-3000:]
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    assert measured["epochs"] == [1, 1, 1, 3]
    assert measured["steps"] == [2, 2, 2, 6]  # of the 700, 200 and 300 asked for; vectors: 3 epochs of 2
    assert measured["bm3d"] < 1e-6 and measured["rgb"] == [32, 32, 3]  # a 3x3 box filter, shape kept
    np.testing.assert_allclose(measured["biharmonic"], measured["known"], atol=1e-5)  # the known pixels' mean


def _texts(cell):
    for output in cell.get("outputs", []):
        if "text" in output:
            yield "".join(output["text"])
        for value in output.get("data", {}).values():
            if isinstance(value, (str, list)):
                yield "".join(value)


class _ExerciseNotebookRun:
    """One class per notebook, so pytest-xdist's loadscope runs them on different workers."""

    name = ""

    @pytest.mark.notebook
    def test_runs_with_stubs_and_every_check_says_not_attempted(self, tmp_path, stand_in_models):
        path = REPOSITORY / "solutions" / f"{self.name}.ipynb"
        if not path.exists():
            pytest.fail(f"solutions/{self.name}.ipynb is missing")
        notebook = _run_exercise_notebook(path, tmp_path, stand_in_models)
        errors = [
            (index, output.get("ename"), output.get("evalue"))
            for index, cell in enumerate(notebook.cells) for output in cell.get("outputs", [])
            if output.get("output_type") == "error"
        ]
        assert not errors, f"cells raised errors in the exercise version: {errors}"
        everything = "\n".join(text for cell in notebook.cells for text in _texts(cell))
        for key in checks.list_exercises(self.name):
            assert f"[{key}] not attempted yet" in everything, f"check of {key!r} did not report 'not attempted'"
        assert "correct!" not in everything, "a check passed on a stub"


for _name in EXPECTED:
    _class_name = "TestExercises" + _name.split("_")[0]
    setattr(sys.modules[__name__], _class_name, type(_class_name, (_ExerciseNotebookRun,), {"name": _name}))
del _name, _class_name


# --------------------------------------------------------------------------------------
# Every notebook opens the same way, and its numbers agree with its outputs
# --------------------------------------------------------------------------------------

_TIME_LINE = re.compile(r"\*\*Time:\*\* about (\d+) minutes")


def _stated_minutes(path):
    found = _TIME_LINE.search(_source(_load(path)["cells"][0]))
    return int(found.group(1)) if found else None


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda path: path.stem)
def test_the_opening_cell_has_objectives_time_and_prerequisites(path):
    first = _load(path)["cells"][0]
    text = _source(first)
    assert first["cell_type"] == "markdown" and text.startswith("# "), "the first cell is the title"
    objectives = re.search(r"\*\*Learning objectives\.?\*\*[^\n]*\n+((?:- .*\n?(?:  .*\n?)*)+)", text)
    assert objectives and len(re.findall(r"^- ", objectives.group(1), re.MULTILINE)) >= 3, (
        "a '**Learning objectives.**' list of at least three items")
    assert _stated_minutes(path), "a '**Time:** about N minutes' line"
    assert re.search(r"\*\*Prerequisites:\*\* \S", text), "a '**Prerequisites:**' line"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda path: path.stem)
def test_no_text_cell_is_a_wall_of_text(path):
    """One idea per cell: a markdown cell of more than about 400 words does not fit a laptop screen."""
    long_cells = {index: len(_source(cell).split()) for index, cell in enumerate(_load(path)["cells"])
                  if cell["cell_type"] == "markdown" and len(_source(cell).split()) > 420}
    assert not long_cells, f"markdown cells over 420 words (cell index: words): {long_cells}; split them"


def test_the_course_map_and_the_guide_give_each_notebook_its_stated_time():
    from course_lib import site

    pages = {page.source.stem: page for page in site.read_course_map(REPOSITORY / "solutions")}
    guide = (REPOSITORY / "docs" / "instructor_guide.md").read_text(encoding="utf-8")
    for path in SOLUTIONS:
        minutes = _stated_minutes(path)
        assert pages[path.stem].time == f"about {minutes} minutes", path.stem
        row = re.search(rf"^\| {path.stem[:2]} \| `{path.stem}` \| (~?)(\d+) min \|", guide, re.MULTILINE)
        assert row, f"the guide's table has no row for {path.stem}"
        assert (row.group(1), int(row.group(2))) == ("", minutes), (
            f"the guide gives {path.stem} {row.group(1)}{row.group(2)} min, the notebook {minutes}")


def _cell_with(notebook, text, kind):
    cells = [cell for cell in notebook["cells"] if cell["cell_type"] == kind and text in _source(cell)]
    assert len(cells) == 1, f"expected one {kind} cell with {text!r}, found {len(cells)}"
    return cells[0]


def _printed(cell):
    return "\n".join(_texts(cell))


_SPELLED_MINUTES = {"half a minute": 0.5, "a minute": 1.0, "one and a half minutes": 1.5, "two minutes": 2.0,
                    "two and a half minutes": 2.5, "three minutes": 3.0, "four minutes": 4.0}


def test_notebook_10_quotes_the_small_dncnn_parameter_count_it_prints():
    notebook = _load(REPOSITORY / "solutions" / "10_outlook.ipynb")
    printed = re.search(r"dncnn, ([\d,]+) parameters, 8 conv layers", "\n".join(
        _printed(cell) for cell in notebook["cells"]))
    text = _source(_cell_with(notebook, "### Training the three, live", "markdown"))
    quoted = re.search(r"a small DnCNN of 8 layers of 32 channels \([^)]*?([\d,]+) parameters", text.replace("\n", " "))
    assert printed and quoted and quoted.group(1) == printed.group(1), (quoted and quoted.group(1), printed.group(1))


def test_notebook_10_summary_does_not_call_the_first_layer_an_average():
    notebook = _load(REPOSITORY / "solutions" / "10_outlook.ipynb")
    body = _source(_cell_with(notebook, "The first layer is a bank of small", "markdown"))
    summary = _source(_cell_with(notebook, "## What we learned", "markdown"))
    sentence = re.search(r"Its first layer is ([^.]*)\.", summary.replace("\n", " "))
    assert "none is a plain average" in body and sentence
    assert "averaging" not in sentence.group(1) and "none is a plain average" in sentence.group(1), sentence.group(0)


def test_notebook_07_states_the_dcgan_training_time_it_prints():
    notebook = _load(REPOSITORY / "solutions" / "07_gans.ipynb")
    announcement = _source(_cell_with(notebook, "150 epochs are 1,500 steps", "markdown")).replace("\n", " ")
    stated = next(minutes for words, minutes in sorted(_SPELLED_MINUTES.items(), key=lambda item: -len(item[0]))
                  if f"about {words}" in announcement)
    seconds = float(re.search(r"1500 steps in (\d+) s", _printed(
        next(cell for cell in notebook["cells"] if "1500 steps in" in _printed(cell)))).group(1))
    assert 0.7 < seconds / 60 / stated < 1.4, f"the text says about {stated} min, the run took {seconds:.0f} s"
    collapse = float(re.search(r"two runs of 1,600 steps in (\d+) s", "\n".join(
        _printed(cell) for cell in notebook["cells"])).group(1))
    opening = _source(notebook["cells"][0]).replace("\n", " ")
    trainings = re.search(r"the DCGAN \(about (\d+) seconds\) and the mode-collapse runs \(about (\d+)\)", opening)
    assert trainings, "the opening says how long the two live trainings take"
    for said, printed in ((int(trainings.group(1)), seconds), (int(trainings.group(2)), collapse)):
        assert abs(said - printed) <= max(5, 0.3 * printed), (
            f"the opening says about {said} s, the run took {printed:.0f} s")


_RUN_TIME = re.compile(r"the notebook runs in about (\d+(?:\.\d+)?)\s+(seconds|minutes?)\s+on\s+two\s+CPU\s+cores")
_GUIDE_RUN_TIME = r"^\| {number} \| `{stem}` \| [^|]* \| (\d+) s\b"


def _measured_seconds(path):
    guide = (REPOSITORY / "docs" / "instructor_guide.md").read_text(encoding="utf-8")
    row = re.search(_GUIDE_RUN_TIME.format(number=path.stem[:2], stem=path.stem), guide, re.MULTILINE)
    assert row, f"the guide's table gives no measured run time in seconds for {path.stem}"
    return int(row.group(1))


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda path: path.stem)
def test_the_opening_states_the_run_time_measured_in_the_guide(path):
    """The opening's run time and the guide's measured seconds agree within a quarter."""
    stated = _RUN_TIME.search(_source(_load(path)["cells"][0]))
    assert stated, "the opening says 'the notebook runs in about N seconds|minutes on two CPU cores'"
    stated_seconds = float(stated.group(1)) * (1 if stated.group(2) == "seconds" else 60)
    measured = _measured_seconds(path)
    assert abs(stated_seconds - measured) <= max(5, 0.25 * measured), (
        f"the notebook says about {stated.group(1)} {stated.group(2)}, the guide measured {measured} s")


def test_the_readme_budget_holds_for_every_measured_run_time():
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8").replace("\n", " ")
    budget = re.search(r"00-03 and 08-10 each run in under (\d+) minutes,\s+04-07 \([^)]*\) in under (\d+)", readme)
    assert budget, "the README states the run-time budget per notebook"
    for path in SOLUTIONS:
        limit = int(budget.group(2 if "04" <= path.stem[:2] <= "07" else 1)) * 60
        assert _measured_seconds(path) <= limit, f"{path.stem} ran {_measured_seconds(path)} s, over {limit} s"


def test_the_readme_course_map_gives_the_guides_times():
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    for path in SOLUTIONS:
        row = re.search(rf"^\| {path.stem[:2]} \| `{path.stem}` \|.*\| (\d+) min / (\d+) s \| \w+ \|$", readme,
                        re.MULTILINE)
        assert row, f"the README's course map gives no 'N min / N s' for {path.stem}"
        assert (int(row.group(1)), int(row.group(2))) == (_stated_minutes(path), _measured_seconds(path)), path.stem


def test_the_stand_in_models_take_and_give_what_the_shipped_ones_do(stand_in_models, monkeypatch):
    """The exercise runs' stand-ins (tests/exercise_stand_in_models.py) keep each shipped model's contract."""
    from course_lib.models.shipped import DATA_FOLDER, SHIPPED_MODELS

    def shapes(tensors):
        return [tuple(tensor.shape) for tensor in tensors]

    for shipped in SHIPPED_MODELS:
        real = shipped.load()
        monkeypatch.setenv("COURSE_LIB_DATA", str(stand_in_models))
        stand_in = shipped.load()
        monkeypatch.delenv("COURSE_LIB_DATA")
        assert shipped.path.parent == DATA_FOLDER
        assert shapes(stand_in.inputs) == shapes(real.inputs), shipped.file
        assert shapes(stand_in.outputs) == shapes(real.outputs), shipped.file
        assert stand_in.count_params() < real.count_params() / 10, shipped.file
        assert (stand_in_models / shipped.file).with_suffix(".json").read_text() == \
            shipped.path.with_suffix(".json").read_text()
