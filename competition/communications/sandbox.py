"""The Jinja environment organisers' mail templates run in: sandboxed, immutable, and bounded in work and size.

Jinja's ``ImmutableSandboxedEnvironment`` keeps a template from reaching internals or changing lists and dicts, but
not from asking for a lot: ``{{ 'a' * 10**9 }}`` in a preview took 2.2 GB. Here every operation that can make a
value grow is checked *before* it runs (``*``, ``**``, ``+``, ``%``, ``~``, string methods and filters with a
width, joins, replacements), loops and calls share a step budget, and everything written out, also into macro and
filter buffers, counts against an output budget. A template over a limit stops with ``TemplateTooBig`` (a German
message for the organiser) instead of exhausting memory or time. Only a short list of filters is available.

The values a template sees are plain data (core/placeholders.py), so the sandbox only has to bound work.
"""

from __future__ import annotations

import operator
import re
import string
import time
from decimal import Decimal
from typing import Any

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from jinja2 import nodes, pass_context
from jinja2.filters import FILTERS
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment, safe_range
from jinja2.utils import Cycler, Joiner, Namespace
from jinja2.visitor import NodeTransformer

MAX_OUTPUT = 1_000_000  # characters of a rendered subject or body (about 1 MB)
MAX_VALUE = 1_000_000  # characters (or nested items) of any value made while rendering
MAX_WRITTEN = 4 * MAX_OUTPUT  # characters written in all, counting macro, filter and {% set %} buffers
MAX_STEPS = 20_000  # loop iterations, calls and filters per rendering
MAX_INT_BITS = 4096  # integers (a number with about 1,200 digits)
MAX_WIDTH = 1000  # padding and field widths (ljust, center, '%500s', '{:>500}')
MAX_SECONDS = 2.0  # a last resort; the budgets above stop every template we know of long before

# Filters that cannot make much from little, plus the app's formatting filters (added by rendering.py). Each one
# is wrapped: its input and result are weighed.
SAFE_FILTERS = ("abs", "capitalize", "count", "d", "default", "dictsort", "first", "float", "int", "items", "join",
                "last", "length", "list", "lower", "map", "max", "min", "reject", "rejectattr", "replace",
                "reverse", "round", "select", "selectattr", "sort", "string", "sum", "title", "trim", "truncate",
                "unique", "upper", "wordcount")
WIDTH_METHODS = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs"})
_PERCENT_FIELD = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?")


class TemplateTooBig(Exception):
    """The template would produce too much text or need too much work; ``message`` says which, in German."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


TOO_MUCH_TEXT = _l("Die Vorlage würde mehr als 1 MB Text erzeugen. Bitte kürzen Sie sie.")
TOO_MUCH_WORK = _l("Die Vorlage braucht zu viel Rechenaufwand (zu viele Schleifendurchläufe oder zu große "
                   "Zwischenwerte, z. B. durch Vervielfachen von Text). Bitte vereinfachen Sie sie.")


def weight(value: Any, limit: int = MAX_VALUE) -> int:
    """About how many characters ``value`` becomes as text, counting nested items; stops counting past ``limit``
    (so a list holding the same long text a million times is weighed without being converted). A namespace met
    twice (the only way a template can build a cycle) counts as too big."""
    total, stack, namespaces = 0, [value], set()
    while stack:
        item = stack.pop()
        total += 1
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, int):
            total += item.bit_length() // 3
        elif isinstance(item, list | tuple | set | frozenset | dict):
            if total + len(item) > limit:
                return limit + 1
            if isinstance(item, dict):
                stack.extend(item.keys())
                stack.extend(item.values())
            else:
                stack.extend(item)
        elif isinstance(item, Namespace):
            if id(item) in namespaces:
                return limit + 1
            namespaces.add(id(item))
            stack.append(item._Namespace__attrs)  # type: ignore[attr-defined]
        elif isinstance(item, float | Decimal):
            total += 24
        if total > limit:
            return total
    return total


def check_format(text: str) -> None:
    """Refuse %-formats and str.format fields with huge widths or precisions ('%999999999s', '{:>999999999}')."""
    for match in _PERCENT_FIELD.finditer(text):
        for number in match.groups():
            if number == "*" or (number and int(number) > MAX_WIDTH):
                raise TemplateTooBig(TOO_MUCH_WORK)
    if "{" in text:
        try:
            fields = list(string.Formatter().parse(text))
        except ValueError:
            return  # not a valid format string: str.format will refuse it itself
        for _literal, _field, spec, _conversion in fields:
            if spec and ("{" in spec or any(int(n) > MAX_WIDTH for n in re.findall(r"\d+", spec))):
                raise TemplateTooBig(TOO_MUCH_WORK)


class _Bounds(NodeTransformer):
    """Rewrites a parsed template so that every loop counts its iterations, every ``~`` is weighed and everything
    written out is counted (the filters ``_step``, ``_sized`` and ``_written`` of the environment)."""

    @staticmethod
    def _wrap(node: nodes.Expr, name: str) -> nodes.Filter:
        return nodes.Filter(node, name, [], [], None, None, lineno=node.lineno)

    def visit_For(self, node: nodes.For) -> nodes.For:
        self.generic_visit(node)
        node.iter = self._wrap(node.iter, "_step")
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Filter:
        self.generic_visit(node)
        node.nodes = [self._wrap(child, "_sized") for child in node.nodes]
        return self._wrap(node, "_sized")

    def visit_Output(self, node: nodes.Output) -> nodes.Output:
        self.generic_visit(node)
        node.nodes = [self._wrap(child, "_written") for child in node.nodes]
        return node


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """One per rendering (its budgets are spent as the template runs)."""

    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.steps = 0
        self.written = 0
        self.deadline = time.monotonic() + MAX_SECONDS
        self.filters = {name: self.bounded_filter(FILTERS[name]) for name in SAFE_FILTERS}
        self.filters["sum"] = self.bounded_filter(_numeric_sum)

        # The counting filters the rewritten template calls; "context" keeps Jinja from running them once at
        # compile time instead of at every pass.
        @pass_context
        def step_through(context, iterable):
            return self._step_through(iterable)

        @pass_context
        def sized(context, value):
            return self.sized(value)

        @pass_context
        def written(context, value):
            return self._written(value)

        self.filters.update(_step=step_through, _sized=sized, _written=written)
        self.globals.clear()  # no lipsum(n=…), nothing not needed in a mail
        self.globals.update(range=self._range, dict=dict, namespace=Namespace, cycler=Cycler, joiner=Joiner,
                            _=self._gettext, gettext=self._gettext, ngettext=self._ngettext)

    # --- budgets ---------------------------------------------------------------------------------------------------

    def step(self, count: int = 1) -> None:
        self.steps += count
        if self.steps > MAX_STEPS or time.monotonic() > self.deadline:
            raise TemplateTooBig(TOO_MUCH_WORK)

    @staticmethod
    def sized(value: Any) -> Any:
        if weight(value) > MAX_VALUE:
            raise TemplateTooBig(TOO_MUCH_WORK)
        return value

    def _step_through(self, iterable: Any):
        self.step()
        for item in iterable:
            self.step()
            yield item

    def _written(self, value: Any) -> Any:
        size = weight(value, MAX_WRITTEN)
        self.written += size
        if self.written > MAX_WRITTEN:
            raise TemplateTooBig(TOO_MUCH_TEXT)
        return value

    def _range(self, *args: int) -> range:
        self.step()
        return safe_range(*args)

    def bounded_filter(self, function):
        def bounded(*args, **kwargs):
            self.step()
            for value in (*args, *kwargs.values()):
                if not isinstance(value, Context | BoundedSandbox):
                    self.sized(value)
            if function is FILTERS["replace"] and len(args) >= 4:  # (eval_ctx, text, old, new)
                _check_replace(str(args[1]), str(args[2]), str(args[3]))
            if function is FILTERS["join"] and len(args) > 1:  # (eval_ctx, items, separator)
                args = (args[0], list(args[1]), *args[2:])  # a range or generator, weighed before it is joined
                _check_join(args[1], args[2] if len(args) > 2 else kwargs.get("d", ""))
            return self.sized(function(*args, **kwargs))

        bounded.jinja_pass_arg = getattr(function, "jinja_pass_arg", None)  # type: ignore[attr-defined]
        return bounded

    # --- what the sandbox intercepts ---------------------------------------------------------------------------------

    def call_binop(self, context: Context, operator_name: str, left: Any, right: Any) -> Any:
        self.step()
        if operator_name == "*":
            _check_repeat(left, right)
            _check_repeat(right, left)
            if isinstance(left, int) and isinstance(right, int) and \
                    left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise TemplateTooBig(TOO_MUCH_WORK)
        elif operator_name == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0 and \
                    abs(left).bit_length() * right > MAX_INT_BITS:
                raise TemplateTooBig(TOO_MUCH_WORK)
        elif operator_name == "+":
            if weight(left) + weight(right) > MAX_VALUE:
                raise TemplateTooBig(TOO_MUCH_WORK)
        elif operator_name == "%" and isinstance(left, str):
            check_format(left)
            self.sized(right)
        return self.sized(self.binop_table[operator_name](left, right))

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        __self.step()
        receiver = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        if isinstance(receiver, str):
            if name in WIDTH_METHODS and any(isinstance(a, int) and a > MAX_WIDTH for a in (*args, *kwargs.values())):
                raise TemplateTooBig(TOO_MUCH_WORK)
            if name == "replace" and len(args) >= 2:
                _check_replace(receiver, str(args[0]), str(args[1]))
            if name == "join" and args:
                args = (list(args[0]), *args[1:])
                _check_join(args[0], receiver)
        if name in ("format", "format_map"):  # the sandbox's wrapper around str.format
            template = getattr(getattr(__obj, "__wrapped__", None), "__self__", None)
            if isinstance(template, str):
                check_format(template)
        for value in (*args, *kwargs.values()):
            __self.sized(value)
        return __self.sized(super().call(__context, __obj, *args, **kwargs))

    # --- translations: the message id is the organiser's text ------------------------------------------------------

    def _gettext(self, message: str, **variables: Any) -> str:
        self.step()
        check_format(str(message))
        return self.sized(gettext(message, **variables))

    def _ngettext(self, singular: str, plural: str, num: int, **variables: Any) -> str:
        self.step()
        check_format(str(singular))
        check_format(str(plural))
        return self.sized(ngettext(singular, plural, num, **variables))

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = _Bounds().visit(super()._parse(source, name, filename))
        tree.set_environment(self)
        return tree


def _check_repeat(sequence: Any, times: Any) -> None:
    if isinstance(sequence, str | list | tuple) and isinstance(times, int) and not isinstance(times, bool) and \
            times > 0 and weight(sequence) * times > MAX_VALUE:
        raise TemplateTooBig(TOO_MUCH_WORK)


def _check_replace(text: str, old: str, new: str) -> None:
    occurrences = text.count(old) if old else len(text) + 1
    if len(text) + occurrences * max(len(new) - len(old), 0) > MAX_VALUE:
        raise TemplateTooBig(TOO_MUCH_WORK)


def _check_join(items: Any, separator: Any) -> None:
    if isinstance(items, str | list | tuple | set | frozenset | dict):
        count = len(items)
        if weight(items) + count * weight(str(separator)) > MAX_VALUE:
            raise TemplateTooBig(TOO_MUCH_WORK)


def _numeric_sum(values, attribute=None, start=0):
    """``sum`` for numbers only (summing lists or texts would build huge values quadratically)."""
    items = list(values)
    if attribute is not None:
        items = [item.get(attribute) if isinstance(item, dict) else None for item in items]
    if not all(isinstance(v, int | float | Decimal) and not isinstance(v, bool) for v in (*items, start)):
        raise TemplateTooBig(TOO_MUCH_WORK)
    total = start
    for item in items:
        total = operator.add(total, item)
    return total
