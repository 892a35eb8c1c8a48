"""Opening hours in OpenStreetMap's ``opening_hours`` syntax (the national schema's ``horaires``), the subset a
mediation place needs, and their French reading for printed directories.

Accepted: ``24/7``; rules separated by ``;``, each ``[days] [times | off]`` where days are ``Mo``..``Su`` and
``PH`` (public holidays), as lists and ranges (``Mo-Fr,Su``, ``Fr-Mo``), and times are ``HH:MM-HH:MM``
spans separated by commas (``09:00-12:00,14:00-17:30``; ``24:00`` may end a span). A rule without days
applies every day; a later rule replaces the hours of the days it names (OSM's rule). Months, weeks,
sunrise and comments are refused: a place's hours must print unambiguously on paper.

Written here rather than taken from a library: the reference parser (``opening_hours.js``) is JavaScript,
and the Python ports are unmaintained; the domain may import only the standard library."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.errors import ValidationError

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
DAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
HOLIDAYS = "PH"
MAX_LENGTH = 500

_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d"
_SPAN = re.compile(rf"({_TIME})-({_TIME}|24:00)")
_DAY_ITEM = re.compile(r"(Mo|Tu|We|Th|Fr|Sa|Su)(?:-(Mo|Tu|We|Th|Fr|Sa|Su))?|PH")

Span = tuple[int, int]  # minutes from midnight, start < end


@dataclass(frozen=True)
class Rule:
    days: tuple[str, ...]  # DAYS values and/or "PH"; empty = every day
    spans: tuple[Span, ...]  # empty = closed ("off")


@dataclass(frozen=True)
class OpeningHours:
    always: bool
    rules: tuple[Rule, ...]

    def canonical(self) -> str:
        if self.always:
            return "24/7"
        return "; ".join(_rule_text(rule) for rule in self.rules)

    def week(self) -> tuple[tuple[Span, ...], ...]:
        """The spans of each day, Monday first, after every rule is applied."""
        if self.always:
            return tuple(((0, 1440),) for _ in DAYS)
        week: list[tuple[Span, ...]] = [() for _ in DAYS]
        for rule in self.rules:
            for index, day in enumerate(DAYS):
                if not rule.days or day in rule.days:
                    week[index] = rule.spans
        return tuple(week)

    def closed_on_holidays(self) -> bool:
        return any(HOLIDAYS in rule.days and not rule.spans for rule in self.rules)


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _rule_text(rule: Rule) -> str:
    days = _days_text(rule.days)
    times = ",".join(f"{_clock(a)}-{_clock(b)}" for a, b in rule.spans) if rule.spans else "off"
    return f"{days} {times}".strip()


def _days_text(days: tuple[str, ...]) -> str:
    parts: list[str] = []
    indexes = [DAYS.index(d) for d in days if d in DAYS]
    run: list[int] = []
    for index in indexes + [-2]:
        if run and index == run[-1] + 1:
            run.append(index)
            continue
        if run:
            parts.append(DAYS[run[0]] if len(run) == 1 else f"{DAYS[run[0]]}-{DAYS[run[-1]]}")
        run = [index]
    if HOLIDAYS in days:
        parts.append(HOLIDAYS)
    return ",".join(parts)


def _parse_days(text: str) -> tuple[str, ...]:
    found: set[str] = set()
    for item in text.split(","):
        match = _DAY_ITEM.fullmatch(item)
        if not match:
            raise ValueError(item)
        if item == HOLIDAYS:
            found.add(HOLIDAYS)
            continue
        first = DAYS.index(match.group(1))
        last = DAYS.index(match.group(2)) if match.group(2) else first
        span = (last - first) % 7
        found.update(DAYS[(first + step) % 7] for step in range(span + 1))
    return tuple(d for d in (*DAYS, HOLIDAYS) if d in found)


def _parse_spans(text: str) -> tuple[Span, ...]:
    spans: list[Span] = []
    for item in text.split(","):
        match = _SPAN.fullmatch(item.strip())
        if not match:
            raise ValueError(item)
        start, end = _minutes(match.group(1)), _minutes(match.group(2))
        if end <= start:
            raise ValueError(item)
        spans.append((start, end))
    spans.sort()
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        if start < end:
            raise ValueError("overlap")
    return tuple(spans)


def _parse_rule(text: str) -> Rule:
    words = text.split(None, 1)
    if not words:
        raise ValueError("empty rule")
    days: tuple[str, ...]
    if _SPAN.match(words[0]) or words[0] in ("off", "closed"):
        days, rest = (), text
    else:
        days = _parse_days(words[0])
        rest = words[1] if len(words) > 1 else ""
    rest = rest.strip()
    if rest in ("off", "closed"):
        return Rule(days, ())
    if not rest:
        raise ValueError("no times")
    return Rule(days, _parse_spans(rest.replace(" ", "")))


def parse_opening_hours(text: str, field: str = "opening_hours") -> OpeningHours:
    """The hours in ``text``; ``ValidationError`` (French, naming ``field``) when it is not the subset above."""
    text = text.strip()
    if not text or len(text) > MAX_LENGTH:
        raise ValidationError("Les horaires sont vides ou trop longs (500 caractères au plus).", field=field)
    if text == "24/7":
        return OpeningHours(True, ())
    try:
        rules = tuple(_parse_rule(part.strip()) for part in text.split(";") if part.strip())
    except ValueError:
        raise ValidationError(
            "Horaires illisibles : écrivez-les au format OpenStreetMap, par exemple « Mo-Fr 09:00-12:00,14:00-17:00; "
            "Sa 09:00-12:00; PH off ».",
            field=field,
        ) from None
    if not rules:
        raise ValidationError("Les horaires sont vides.", field=field)
    return OpeningHours(False, rules)


def french_time(minutes: int) -> str:
    """570 -> '9 h 30', 540 -> '9 h'."""
    hours, rest = divmod(minutes, 60)
    return f"{hours} h" if rest == 0 else f"{hours} h {rest:02d}"


def _french_spans(spans: tuple[Span, ...]) -> str:
    parts = [f"de {french_time(a)} à {french_time(b)}" for a, b in spans]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " et " + parts[-1]


def _french_days(first: int, last: int) -> str:
    if first == last:
        return DAY_NAMES[first].capitalize()
    if last == first + 1:
        return f"{DAY_NAMES[first].capitalize()} et {DAY_NAMES[last]}"
    return f"Du {DAY_NAMES[first]} au {DAY_NAMES[last]}"


def describe_in_french(hours: OpeningHours) -> list[str]:
    """One line per run of days with the same hours, e.g. « Du lundi au vendredi : de 9 h à 12 h et de 14 h à
    17 h »; closed days are named last; « Fermé les jours fériés » when the hours say so."""
    if hours.always:
        return ["Ouvert tous les jours, 24 h sur 24"]
    week = hours.week()
    lines: list[str] = []
    closed: list[str] = []
    index = 0
    while index < len(DAYS):
        last = index
        while last + 1 < len(DAYS) and week[last + 1] == week[index]:
            last += 1
        if week[index]:
            if index == 0 and last == 6:
                lines.append(f"Tous les jours : {_french_spans(week[index])}")
            else:
                lines.append(f"{_french_days(index, last)} : {_french_spans(week[index])}")
        else:
            closed.extend(DAY_NAMES[index : last + 1])
        index = last + 1
    if closed and lines:
        names = [f"le {name}" for name in closed]
        lines.append("Fermé " + (names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]))
    elif not lines:
        lines.append("Sur rendez-vous ou fermé (aucun horaire d'ouverture)")
    if hours.closed_on_holidays():
        lines.append("Fermé les jours fériés")
    return lines
