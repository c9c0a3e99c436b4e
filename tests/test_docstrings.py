"""Every public class, method and function has a numpydoc docstring with its
parameters, its return value and a doctest example (the doctests themselves
run through ``--doctest-modules``)."""

import inspect

import pytest

import skrapid
from skrapid import datasets, experiments, metrics, reproduce

validate = pytest.importorskip("numpydoc.validate").validate

CODES = {
    "GL08": "no docstring",
    "SS01": "no summary",
    "PR01": "parameters not documented",
    "PR02": "unknown parameters documented",
    "RT01": "no Returns section",
    "EX01": "no Examples section",
}


def _public_names():
    for mod in (skrapid, datasets, metrics, experiments, reproduce):
        for name in mod.__all__:
            obj = getattr(mod, name)
            if name.startswith("__") or not (
                inspect.isfunction(obj) or inspect.isclass(obj)
            ):
                continue
            yield f"{mod.__name__}.{name}"
            if inspect.isclass(obj):
                for meth, f in inspect.getmembers(obj, inspect.isfunction):
                    if not meth.startswith("_") and f.__module__.startswith("skrapid"):
                        yield f"{mod.__name__}.{name}.{meth}"


NAMES = sorted(set(_public_names()))


def test_the_public_api_is_large_enough_to_mean_something():
    assert len(NAMES) > 60


@pytest.mark.parametrize("name", NAMES)
def test_numpydoc_docstring(name):
    errors = [f"{c} ({CODES[c]})" for c, _ in validate(name)["errors"] if c in CODES]
    assert not errors, f"{name}: {errors}"
