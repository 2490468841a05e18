"""The package's import graph, read from the source with ``ast`` (nothing is imported or run).

    python scripts/import_graph.py            # summary: modules, edges, import circles, largest modules
    python scripts/import_graph.py --edges    # also every edge (``*`` marks an import inside a function)

Both top-level and deferred imports (inside a function) count: a deferred import still ties the two modules
together. ``from msa_demo import x`` counts as an edge to the submodule ``msa_demo.x`` when one exists.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def module_files(package: str = "msa_demo", root: Path = ROOT) -> dict[str, Path]:
    """Dotted module name -> source file, for every ``.py`` file of the package."""
    out = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The longest known module that ``name`` is, or lies inside (``a.b.func`` -> ``a.b``)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> dict[str, bool]:
    """Package modules that ``module`` imports -> True when one of its imports of it is at module level."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    top_level = {id(n) for n in tree.body}
    for node in tree.body:  # `if TYPE_CHECKING:` / try blocks at module level still run at import
        if isinstance(node, (ast.If, ast.Try)):
            top_level |= {id(n) for n in ast.walk(node)}
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: dict[str, bool] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in modules]
            # `from pkg import submodule`: the edge is to the submodule; `from pkg import name`: to pkg
            targets = subs + ([base] if len(subs) < len(node.names) else [])
        else:
            continue
        for t in targets:
            dep = _resolve(t, modules)
            if dep is None or dep == module:
                continue
            found[dep] = found.get(dep, False) or id(node) in top_level
    return found


def import_graph(package: str = "msa_demo", root: Path = ROOT) -> dict[str, dict[str, bool]]:
    """module -> {imported package module -> imported at module level?}."""
    modules = module_files(package, root)
    return {m: imports_of(m, p, modules) for m, p in modules.items()}


def cycles(graph: dict[str, dict[str, bool]]) -> list[list[str]]:
    """Strongly connected components of more than one module (each is at least one import circle), sorted.

    A package and its own submodules are left out of this (``pkg/__init__`` re-exporting ``pkg.sub`` while
    ``pkg.sub`` uses a helper of ``pkg`` is how Python packages are built, not a layering circle).
    """
    def parent_child(a: str, b: str) -> bool:
        return b.startswith(a + ".") or a.startswith(b + ".")

    edges = {m: [d for d in deps if not parent_child(m, d)] for m, deps in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:  # Tarjan's algorithm
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, []):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(max(1000, 10 * len(edges)))
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(out)


def reaches(graph: dict[str, dict[str, bool]], start: str, target_prefix: str) -> list[str] | None:
    """An import chain from ``start`` to a module named ``target_prefix`` or inside it, or None."""
    prev: dict[str, str | None] = {start: None}
    queue = [start]
    while queue:
        v = queue.pop(0)
        if v != start and (v == target_prefix or v.startswith(target_prefix + ".")):
            chain = [v]
            while prev[chain[-1]] is not None:
                chain.append(prev[chain[-1]])  # type: ignore[arg-type]
            return chain[::-1]
        for w in sorted(graph.get(v, {})):
            if w not in prev:
                prev[w] = v
                queue.append(w)
    return None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--edges", action="store_true", help="list every edge")
    args = p.parse_args(argv)
    graph = import_graph()
    n_edges = sum(len(d) for d in graph.values())
    n_lazy = sum(1 for d in graph.values() for top in d.values() if not top)
    print(f"modules: {len(graph)}  edges: {n_edges} ({n_lazy} deferred, inside functions)")
    circles = cycles(graph)
    print(f"import circles (strongly connected groups): {len(circles)}")
    for c in circles:
        print("  " + " <-> ".join(c))
    for start in ("msa_demo.model", "msa_demo.fusion", "msa_demo.explain"):
        for target in ("msa_demo.train", "msa_demo.training"):
            chain = reaches(graph, start, target)
            if chain:
                print(f"  inference reaches training: {' -> '.join(chain)}")
    sizes = sorted(((len(p.read_text(encoding='utf-8').splitlines()), m) for m, p in module_files().items()),
                   reverse=True)
    print("largest modules: " + ", ".join(f"{m} {n}" for n, m in sizes[:5]))
    if args.edges:
        for m in sorted(graph):
            print(f"{m}: " + ", ".join(d + ("" if top else "*") for d, top in sorted(graph[m].items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
