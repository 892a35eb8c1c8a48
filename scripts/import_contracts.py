"""An import-linter contract type that import-linter lacks: an allow-list of outside modules.

`forbidden` names what a package must not import, so a dependency added tomorrow slips through, and it can
only name the top package of an outside distribution (`eventsourcing`, never `eventsourcing.application`):
import-linter squashes every external package into one node. This contract instead says what a package
*may* import from outside the project: the standard library (if allowed) and the listed modules, each with
its submodules. The graph only has the squashed node, so the imported dotted name is read back from the
import's source line.

    [[tool.importlinter.contracts]]
    name = "..."
    type = "allowed_outside_imports"
    source_modules = ["domain"]
    allowed_modules = ["eventsourcing.domain", "stdnum"]
    allow_standard_library = true

Registered in pyproject.toml under `contract_types`; lint-imports puts the working directory on sys.path,
so it must run from the repository root (scripts/check does).
"""

from __future__ import annotations

import re
import sys
from typing import Any

from importlinter import Contract, ContractCheck, fields, output

_FROM = re.compile(r"^\s*from\s+([\w.]+)\s+import\b")
_IMPORT = re.compile(r"^\s*import\s+(.+)$")


def _imported_names(line: str) -> list[str]:
    """The dotted module names an import line names (`from a.b import c` -> a.b; `import a.b as x, c` -> a.b, c)."""
    if match := _FROM.match(line):
        return [match.group(1)]
    if match := _IMPORT.match(line):
        return [part.split(" as ")[0].strip() for part in match.group(1).split("#")[0].strip("() ").split(",")]
    return []


def _within(name: str, allowed: str) -> bool:
    return name == allowed or name.startswith(allowed + ".")


class AllowedOutsideImportsContract(Contract):
    """Modules of `source_modules` import from outside the project only the standard library and `allowed_modules`."""

    type_name = "allowed_outside_imports"

    source_modules = fields.ListField(subfield=fields.ModuleField())
    allowed_modules = fields.ListField(subfield=fields.StringField())
    allow_standard_library = fields.BooleanField(required=False, default=True)

    def check(self, graph: Any, verbose: bool) -> ContractCheck:
        roots = set(self.session_options["root_packages"])
        allowed: list[str] = list(self.allowed_modules)  # type: ignore[call-overload]  # a field, read as its value
        stdlib = str(self.allow_standard_library).lower() == "true"
        illegal: list[dict[str, Any]] = []
        for source in self.source_modules:  # type: ignore[attr-defined]
            if source.name not in graph.modules:
                raise ValueError(f"Module '{source.name}' does not exist.")
            for importer in sorted({source.name} | graph.find_descendants(source.name)):
                for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                    top = imported.split(".")[0]
                    if top in roots or (stdlib and top in sys.stdlib_module_names):
                        continue
                    for detail in graph.get_import_details(importer=importer, imported=imported):
                        names = [n for n in _imported_names(detail["line_contents"]) if _within(n, top)] or [imported]
                        for name in names:
                            if not any(_within(name, a) for a in allowed):
                                illegal.append({"importer": importer, "name": name, "line": detail["line_number"]})
        return ContractCheck(kept=not illegal, metadata={"illegal": illegal})

    def render_broken_contract(self, check: ContractCheck) -> None:
        allowed = ", ".join(self.allowed_modules)  # type: ignore[arg-type]  # a field, read as its value
        what = "the standard library and " if str(self.allow_standard_library).lower() == "true" else ""
        output.print_error(f"Only {what}{allowed} may be imported from outside the project:", bold=False)
        output.new_line()
        for item in check.metadata["illegal"]:
            output.print_error(f"- {item['importer']} imports {item['name']} (l.{item['line']})", bold=False)
        output.new_line()
