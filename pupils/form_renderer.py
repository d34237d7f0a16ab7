"""A form renderer for pages with hundreds of inputs (the pupil's page).

Django draws every widget with a template: an ``<input>`` is a template that
includes a second one for its attributes, a ``<select>`` one more per
option, and every empty error list renders a template to say nothing. On the
pupil's page that is some 500 template renders (about half the page's CPU).
The plain widgets below are written here in Python, giving the same bytes as
Django's templates (``tests/pupils/test_pupil_page.py`` renders the whole page
both ways and compares); any other template (the admin's own widgets, a
project override) still goes through the configured renderer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.forms.renderers import BaseRenderer
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.module_loading import import_string
from django.utils.safestring import SafeData

W = "django/forms/widgets/"
OPTION_TEMPLATE = W + "select_option.html"

#: Widgets whose template is only ``{% include "django/forms/widgets/input.html" %}``.
INPUT_TEMPLATES = frozenset(
    W + name
    for name in (
        "input.html",
        "text.html",
        "number.html",
        "date.html",
        "time.html",
        "datetime.html",
        "email.html",
        "url.html",
        "tel.html",
        "search.html",
        "hidden.html",
        "checkbox.html",
        "password.html",
        "color.html",
    )
)
LABEL_TEMPLATE = "django/forms/label.html"
EMPTY_ERROR_TEMPLATES = frozenset(
    ("django/forms/errors/list/default.html", "django/forms/errors/list/ul.html")
)


def _text(value: Any) -> str:
    """``{{ value|stringformat:'s' }}`` under autoescape."""
    if isinstance(value, tuple):
        value = str(value)
    text = "%s" % value  # noqa: UP031  (the filter's own formatting)
    return text if isinstance(value, SafeData) else conditional_escape(text)


def _attrs(attrs: Mapping[str, Any]) -> str:
    """django/forms/widgets/attrs.html."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {conditional_escape(localize(name))}")
        if value is not True:
            parts.append(f'="{_text(value)}"')
    return "".join(parts)


def _input(widget: Mapping[str, Any]) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{_text(value)}"'
    return (
        f'<input type="{conditional_escape(localize(widget["type"]))}"'
        f' name="{conditional_escape(localize(widget["name"]))}"{shown}{_attrs(widget["attrs"])}>'
    )


def _option(option: Mapping[str, Any]) -> str:
    label = conditional_escape(localize(option["label"]))
    return f'<option value="{_text(option["value"])}"{_attrs(option["attrs"])}>{label}</option>\n'


def _label(context: Mapping[str, Any]) -> str:
    """django/forms/label.html."""
    label = conditional_escape(localize(context["label"]))
    if not context["use_tag"]:
        return label
    tag = conditional_escape(localize(context["tag"]))
    return f"<{tag}{_attrs(context['attrs'])}>{label}</{tag}>"


def _select(widget: Mapping[str, Any]) -> str | None:
    out = [
        f'<select name="{conditional_escape(localize(widget["name"]))}"{_attrs(widget["attrs"])}>'
    ]
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{conditional_escape(localize(group_name))}">')
        for option in group_choices:
            if option["template_name"] != OPTION_TEMPLATE:
                return None  # a widget with its own option template: Django draws it
            out.append("\n  " + _option(option))
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


class PageFormRenderer(import_string(settings.FORM_RENDERER)):  # type: ignore[misc]
    """The configured form renderer, with the plain widgets drawn in Python."""

    #: False draws everything through the templates (the test compares both).
    fast = True

    def render(self, template_name, context, request=None):
        if self.fast:
            drawn = self._draw(template_name, context)
            if drawn is not None:
                return drawn
        return super().render(template_name, context, request=request)

    def _draw(self, template_name: str, context: Mapping[str, Any]) -> str | None:
        if template_name in EMPTY_ERROR_TEMPLATES:
            return "" if not context.get("errors") else None
        if template_name == LABEL_TEMPLATE:
            return _label(context)
        draw: Callable[[Mapping[str, Any]], str | None] | None = None
        if template_name in INPUT_TEMPLATES:
            draw = _input
        elif template_name == W + "select.html":
            draw = _select
        if draw is None or "widget" not in context:
            return None
        return draw(context["widget"])


assert issubclass(PageFormRenderer, BaseRenderer)
#: One instance, shared by the pupil page's forms and formsets.
page_renderer = PageFormRenderer()
