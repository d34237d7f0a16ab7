"""Who receives pupils' information besides the providers: a registry that
a higher layer fills, so that the privacy notice names the organisations
the school actually shares with (UK GDPR Arts 13(1)(e) and 14(1)(e)).

``providers`` sits below ``sharing`` and never imports it: ``sharing``
registers a source from its ``AppConfig.ready`` (the organisations in its
disclosure log), like the other hooks in docs/architecture.md. A source is
a function ``(school) -> iterable of (organisation, why)``, plain text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pupils.models import School

RecipientSource = Callable[[School], Iterable[tuple[str, str]]]

_SOURCES: list[RecipientSource] = []


def register_recipient_source(source: RecipientSource) -> None:
    """Add a source of recipients (once; registering it again does nothing)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def unregister_recipient_source(source: RecipientSource) -> None:
    if source in _SOURCES:
        _SOURCES.remove(source)


def recipients_in_use(school: School) -> list[tuple[str, str]]:
    """Every (organisation, why) the sources give, each organisation once
    (its reasons joined), sorted by name."""
    reasons: dict[str, list[str]] = {}
    for source in _SOURCES:
        for who, why in source(school):
            who = " ".join(str(who).split())
            if not who:
                continue
            listed = reasons.setdefault(who, [])
            if why and str(why) not in listed:
                listed.append(str(why))
    return [
        (who, "; ".join(why)) for who, why in sorted(reasons.items(), key=lambda r: r[0].lower())
    ]
