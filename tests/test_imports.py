"""Layers point one way: read from the source (``scripts/import_graph.py``), deferred imports included."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ("msa_demo.config", "msa_demo.errors", "msa_demo.labels", "msa_demo.inputs", "msa_demo.language",
          "msa_demo.registry", "msa_demo.modalities", "msa_demo.model", "msa_demo.fusion", "msa_demo.explain",
          "msa_demo.training")
ADAPTERS = ("msa_demo.modalities", "msa_demo.lite", "msa_demo.model", "msa_demo.hub", "msa_demo.fusion")


@pytest.fixture(scope="module")
def ig():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import import_graph
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return import_graph


@pytest.fixture(scope="module")
def graph(ig):
    """The package's import graph, read once for the module's tests (none changes it)."""
    return ig.import_graph()


@pytest.fixture(scope="module")
def trees():
    """Each of the package's files parsed, once for the module's tests."""
    import ast

    return {path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted((ROOT / "msa_demo").rglob("*.py"))}


def _in(module: str, prefixes) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def test_the_graph_sees_deferred_imports_and_circles(ig, tmp_path):
    """The reader itself: a circle made of a top-level and a deferred import is found, and a clean chain is not."""
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from pkg.b import thing\n")
    (pkg / "b.py").write_text("def thing():\n    from pkg import a\n    from .sub import c\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "c.py").write_text("import json\nfrom ..a import x\n")
    graph = ig.import_graph("pkg", tmp_path)
    assert graph["pkg.a"] == {"pkg.b": True}
    assert graph["pkg.b"] == {"pkg.a": False, "pkg.sub.c": False}
    assert graph["pkg.sub.c"] == {"pkg.a": True}
    assert ig.cycles(graph) == [["pkg.a", "pkg.b", "pkg.sub.c"]]
    assert ig.reaches(graph, "pkg.a", "pkg.sub") == ["pkg.a", "pkg.b", "pkg.sub.c"]
    (pkg / "b.py").write_text("def thing():\n    pass\n")
    assert ig.cycles(ig.import_graph("pkg", tmp_path)) == []


def test_inference_never_imports_training(ig, graph):
    assert "msa_demo.training" in graph and "msa_demo.train" not in graph
    for module in graph:
        # the batch commands (train, explain-batch) may: explain-batch reads train's manifests and metrics
        if _in(module, ("msa_demo.training", "msa_demo.__main__", "msa_demo.dataset")):
            continue
        assert ig.reaches(graph, module, "msa_demo.training") is None, module


def test_no_import_circle_touches_the_engine(ig, graph):
    for circle in ig.cycles(graph):
        assert not [m for m in circle if _in(m, ENGINE)], circle


def test_the_engine_never_imports_the_dashboard(ig, graph):
    """Reading, models, explanations, views and the report run without Gradio's dashboard: none of them reaches
    ``msa_demo.ui`` (the modality kinds may: they stand at the top and name their own input widgets)."""
    for module in graph:
        if _in(module, ENGINE + ("msa_demo.views", "msa_demo.report", "msa_demo.dataset")):
            assert ig.reaches(graph, module, "msa_demo.ui") is None, module


def test_views_never_import_a_model_adapter(ig, graph):
    """The views draw from an explanation's plain dict: they reach no model, no encoder, no fusion head."""
    for module in graph:
        if _in(module, ("msa_demo.views", "msa_demo.report")):
            for adapter in ADAPTERS:
                assert ig.reaches(graph, module, adapter) is None, (module, adapter)


def test_the_registry_and_the_language_helpers_stand_at_the_bottom(ig, graph):
    """Everything may ask the registry and the language helpers; they ask (almost) nothing back: the registry
    loads the kinds by name, as plug-ins, and imports only the presets' names and the error type."""
    assert set(graph["msa_demo.language"]) == set()
    assert set(graph["msa_demo.registry"]) <= {"msa_demo.config", "msa_demo.errors"}
    assert "msa_demo.kinds" in graph and "msa_demo.modalities.kinds" not in graph


def test_sentiments_and_probs_dict_are_defined_once(trees):
    """One definition each: ``SENTIMENTS`` in config, ``probs_dict`` in labels (others import them)."""
    import ast

    defs: dict[str, list[str]] = {"SENTIMENTS": [], "probs_dict": []}
    for path, tree in trees.items():
        for node in tree.body:
            names = [t.id for t in getattr(node, "targets", []) if isinstance(t, ast.Name)]
            if isinstance(node, ast.FunctionDef):
                names = [node.name.lstrip("_")]
            for n in names:
                if n in defs:
                    defs[n].append(str(path.relative_to(ROOT)))
    assert defs["SENTIMENTS"] == ["msa_demo/config.py"]
    assert defs["probs_dict"] == ["msa_demo/labels.py"]


def test_no_private_name_is_imported_across_modules(trees):
    """``from msa_demo.x import _name`` nowhere in the package: what another module needs is public."""
    import ast

    found = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("msa_demo"):
                found += [f"{path.relative_to(ROOT)}: {a.name}" for a in node.names if a.name.startswith("_")
                          and not a.name.startswith("__")]
    assert found == []
