"""The commands of ``python -m course_lib``, one module per task or tool.

Each module builds its commands' parsers (``add_...``) and runs them (``run_...``):
:mod:`.denoising`, :mod:`.super_resolution` and :mod:`.inpainting` (``train``, ``restore``
and ``evaluate`` for each task), :mod:`.scoreboard` (``evaluate all``), :mod:`.downloads`,
:mod:`.grading`, :mod:`.nbgrader_export` and :mod:`.site`; :mod:`.common` and
:mod:`.input_checks` hold what they share. They only parse, check and print: the work is
done by the library (the methods of each task are in :mod:`course_lib.evaluation`).
:func:`course_lib.cli.build_parser` puts the parsers together and :func:`course_lib.cli.main`
runs the chosen command.
"""
