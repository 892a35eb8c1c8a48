"""Request bodies decoded strictly, refused with every faulty field named in French.

A body is decoded by msgspec into the request type in one pass (``strict``: no string for an integer, no
float, no boolean), then the dates are held to their bounds (``ledger/types/common.py``: ``FactDate``, ``Day``),
which msgspec cannot express. When that first pass fails, the body is decoded as plain JSON (nesting at
most ``MAX_DEPTH`` deep) and walked field by field against the type, so that the refusal lists every faulty
field, not only the first. Messages say what is expected, never what was sent: a value may be personal data.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar, get_args

import msgspec
import msgspec.inspect as mi

from domain import errors
from domain.values import check_day, check_fact_date
from ledger.types import VISIBLE

T = TypeVar("T")
MAX_DEPTH = 32

# Patterns of the schemas in ``ledger/types/`` in words (the others: "au format attendu").
PATTERN_WORDS = {
    VISIBLE: "sans caractère de contrôle",
    r"^(\d{5}|2[AB]\d{3})$": "un code INSEE de commune (5 caractères)",
    r"^[A-Z0-9-]{2,32}$": "de 2 à 32 caractères A-Z, 0-9 ou -",
    r"^\d{14}$": "14 chiffres",
    r"^[0-9 +().-]{6,32}$": "un numéro de téléphone (chiffres, espaces, + ( ) . -)",
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$": "une adresse e-mail",
    r"^\d{5}$": "5 chiffres",
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$": "minuscules et chiffres, mots séparés par un tiret, par exemple premiers-pas",
    r"^[A-Za-z0-9 ]+$": "lettres et chiffres, espaces permis",
    r"^[A-Za-z0-9]+$": "lettres et chiffres",
    r"^[0-9A-Za-z -]+$": "lettres, chiffres, espaces ou tirets",
    r"^[0-9a-f]{64}$": "64 caractères hexadécimaux en minuscules",
    r"^[\x21-\x7e]( ?[\x21-\x7e])*$": "caractères ASCII visibles, espaces simples entre eux",
}
CHOICES = "une de ces valeurs : "  # what an enumeration expects (a form says « choisissez dans la liste »)

BOUNDS_WORDS = {
    "fact": "une date AAAA-MM-JJ entre le 01/01/2000 et aujourd'hui",
    "calendar": "une date AAAA-MM-JJ entre le 01/01/2000 et le 31/12/2100",
}


def invalid(fields: list[tuple[str, str]]) -> errors.ValidationError:
    count = len(fields)
    detail = "Un champ est invalide." if count == 1 else f"{count} champs sont invalides."
    return errors.ValidationError(f"{detail} Voir « errors ».", fields=fields)


def decode_body(cls: type[T], body: bytes, today: date) -> T:
    """The request of type ``cls`` in ``body``, or ValidationError naming every faulty field."""
    try:
        value = msgspec.json.decode(body, type=cls, strict=True)
    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError):
        raise invalid(list(faults(cls, body, today))) from None
    found = list(date_faults(type_info(cls), msgspec.to_builtins(value), today, ""))
    if found:
        raise invalid(found)
    return value


_TYPE_INFO: dict[Any, Any] = {}


def type_info(annotation: Any) -> Any:
    """msgspec's description of a type, built once per type (building it costs more than decoding a body)."""
    info = _TYPE_INFO.get(annotation)
    if info is None:
        info = _TYPE_INFO[annotation] = mi.type_info(annotation)
    return info


def faults(cls: type, body: bytes, today: date) -> list[tuple[str, str]]:
    """Every faulty field of a body that msgspec refused."""
    try:
        raw = msgspec.json.decode(body)
    except RecursionError:
        return [("", f"JSON imbriqué trop profondément (au plus {MAX_DEPTH} niveaux).")]
    except msgspec.DecodeError:
        return [("", "Le corps n'est pas un JSON valide (UTF-8).")]
    if too_deep(raw):
        return [("", f"JSON imbriqué trop profondément (au plus {MAX_DEPTH} niveaux).")]
    found = list(struct_faults(cls, raw, today, ""))
    if not found:  # the walk and msgspec disagree: still a refusal, never a pass
        try:
            msgspec.convert(raw, cls, strict=True)
        except msgspec.ValidationError:
            found = [("", "Le corps ne respecte pas le schéma de la requête.")]
    return found


def too_deep(raw: Any) -> bool:
    stack = [(raw, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def struct_faults(cls: type, raw: Any, today: date, path: str) -> list[tuple[str, str]]:
    if not isinstance(raw, dict):
        return [(path, "Valeur attendue : un objet JSON.")]
    found: list[tuple[str, str]] = []
    fields = msgspec.structs.fields(cls)
    names = {f.encode_name for f in fields}
    for key in raw:
        if key not in names:
            found.append((join(path, key) if key.isidentifier() and len(key) <= 64 else path, "Champ inconnu."))
    for f in fields:
        where = join(path, f.encode_name)
        if f.encode_name not in raw:
            if f.required:
                found.append((where, "Champ obligatoire."))
            continue
        found.extend(value_faults(f.type, raw[f.encode_name], today, where))
    return found


def value_faults(annotation: Any, raw: Any, today: date, path: str) -> list[tuple[str, str]]:
    info = type_info(annotation)
    core = info.type if isinstance(info, mi.Metadata) else info
    if isinstance(core, mi.StructType):
        return struct_faults(core.cls, raw, today, path)
    if isinstance(core, mi.ListType) and isinstance(core.item_type, mi.StructType):
        if not isinstance(raw, list) or not fits_length(core, len(raw)):
            return [(path, f"Valeur attendue : {describe(core)}.")]
        item = get_args(_strip(annotation))[0]
        return [fault for i, element in enumerate(raw) for fault in value_faults(item, element, today, f"{path}[{i}]")]
    try:
        converted = msgspec.convert(raw, annotation, strict=True)
    except msgspec.ValidationError:
        return [(path, f"Valeur attendue : {describe(info)}.")]
    return list(date_faults(info, msgspec.to_builtins(converted), today, path))


def _strip(annotation: Any) -> Any:
    """``list[X]`` out of ``Annotated[list[X], Meta(...)]``."""
    return get_args(annotation)[0] if getattr(annotation, "__metadata__", None) else annotation


def fits_length(core: mi.ListType, length: int) -> bool:
    return (core.min_length is None or length >= core.min_length) and (
        core.max_length is None or length <= core.max_length
    )


def date_faults(info: Any, value: Any, today: date, path: str) -> list[tuple[str, str]]:
    """Dates out of their bounds, in a value that already has the right types (as builtins)."""
    if value is None:
        return []
    if isinstance(info, mi.Metadata):
        bounds = (info.extra or {}).get("bounds")
        if bounds is not None:
            day = date.fromisoformat(value)
            try:  # the domain's own checks: one definition of the bounds
                check_fact_date(day, today, path) if bounds == "fact" else check_day(day, path)
            except errors.ValidationError:
                return [(path, f"Valeur attendue : {BOUNDS_WORDS[bounds]}.")]
            return []
        info = info.type
    if isinstance(info, mi.UnionType):
        return [f for t in info.types if not isinstance(t, mi.NoneType) for f in date_faults(t, value, today, path)]
    if isinstance(info, mi.StructType):
        return [
            f
            for fld in info.fields
            for f in date_faults(fld.type, value.get(fld.encode_name), today, join(path, fld.encode_name))
        ]
    if isinstance(info, mi.ListType):
        return [f for i, item in enumerate(value) for f in date_faults(info.item_type, item, today, f"{path}[{i}]")]
    return []


def describe(info: Any) -> str:
    """What a type expects, in French."""
    if isinstance(info, mi.Metadata):
        bounds = (info.extra or {}).get("bounds")
        return BOUNDS_WORDS[bounds] if bounds else describe(info.type)
    if isinstance(info, mi.IntType):
        return "un nombre entier" + _range(info.ge, info.le)
    if isinstance(info, mi.StrType):
        return "un texte" + _length(info.min_length, info.max_length) + _pattern(info.pattern)
    if isinstance(info, mi.DateType):
        return "une date AAAA-MM-JJ"
    if isinstance(info, mi.UUIDType):
        return "un identifiant UUID"
    if isinstance(info, mi.BoolType):
        return "true ou false"
    if isinstance(info, (mi.EnumType, mi.LiteralType)):
        values = [m.value for m in info.cls] if isinstance(info, mi.EnumType) else list(info.values)
        return CHOICES + ", ".join(str(v) for v in values)
    if isinstance(info, mi.ListType):
        count = _count(info.min_length, info.max_length)
        return f"une liste{count} dont chaque élément est {describe(info.item_type)}"
    if isinstance(info, mi.UnionType):
        return " ou ".join("null" if isinstance(t, mi.NoneType) else describe(t) for t in info.types)
    if isinstance(info, mi.StructType):
        return "un objet JSON"
    return "une valeur du type attendu"


def _number(n: int) -> str:
    return f"{n:_}".replace("_", "\u202f")


def _range(ge: int | None, le: int | None) -> str:
    if ge is not None and le is not None:
        return f" de {_number(ge)} à {_number(le)}"
    if ge is not None:
        return f" supérieur ou égal à {_number(ge)}"
    return f" inférieur ou égal à {_number(le)}" if le is not None else ""


def _length(low: int | None, high: int | None) -> str:
    if low and high:
        return f" de {low} à {high} caractères"
    if high:
        return f" d'au plus {high} caractères"
    return " non vide" if low else ""


def _count(low: int | None, high: int | None) -> str:
    if low and high:
        return f" de {low} à {high} éléments"
    return f" d'au plus {high} éléments" if high else ""


def _pattern(pattern: str | None) -> str:
    if pattern is None:
        return ""
    return f" ({PATTERN_WORDS.get(pattern, 'au format attendu')})"
