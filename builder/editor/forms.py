"""Django forms made from the element declarations: a field's label, choices, check and help
come from its one declaration; nothing about it is written here again.
"""

from __future__ import annotations

import functools

from django import forms

from builder.domainxml.element import Element
from builder.domainxml.fields import Field, Flag, Int, Many

BOOT_SLOTS = 4  # os/boot entries offered: libvirt knows four boot device kinds


class ElementForm(forms.Form):
    """A form over one element; `values()` gives what Element.apply takes."""

    element: type[Element]

    def __init__(self, *args, node=None, **kwargs):
        if node is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_values(self.element, node)
        super().__init__(*args, **kwargs)
        self.node = node
        if node is not None:
            # A required value the XML does not have yet is asked for, not demanded: an imported
            # domain (memory given by NUMA cells only) must not block every other change.
            for name in self.fields:
                if not self.initial.get(name):
                    self.fields[name].required = False

    def clean(self):
        data = super().clean()
        posted = {f.name: _from_form(f, data) for f in self.element.fields.values()}
        before = {f.name: _from_form(f, self.initial) for f in self.element.fields.values()}
        for f in self.element.fields.values():
            if f.readonly or not f.relevant(posted):
                continue  # a hidden field (a file path once the disk is a block device) blocks nothing
            value = posted[f.name]
            touched = [f.name, *(f.required_when or {})]
            needed = f.required_when and f.is_required(posted)  # plain `required` is Django's own check
            if needed and value in (None, "", []) and any(posted[n] != before[n] for n in touched):
                self.add_error(form_names(f)[0], f"{f.label} is needed here: libvirt refuses the device without it")
                continue
            if self.node is not None and value == before[f.name]:
                continue  # as the XML has it: kept, not checked (like Element.apply, which checks changes)
            values = value if isinstance(value, list) else [value]
            for one in values:
                if one in (None, ""):
                    continue
                try:
                    f.clean_one(one)  # one value at a time: Many.clean takes a whole list
                except ValueError as e:
                    self.add_error(form_names(f)[0], str(e))
        return data

    def values(self) -> dict:
        """Values to write; a field with an error is left out, so it keeps what the XML has."""
        data = getattr(self, "cleaned_data", {})
        return {
            f.name: _from_form(f, data)
            for f in self.element.fields.values()
            if not f.readonly and not any(n in self.errors for n in form_names(f))
        }

    def rows(self):
        """(declaration, [bound fields]) in declaration order, for templates that lay out fields."""
        for f, names in shown_fields(self.element, self.initial):
            yield f, [self[name] for name in names]


def shown_fields(cls: type[Element], initial: dict):
    """(declaration, form field names) of the fields a form shows, in declaration order."""
    for f in cls.fields.values():
        if f.readonly and not initial.get(f.name):
            continue  # nothing to show (a running guest's id, on a template)
        yield f, form_names(f)


def posted_differs(cls: type[Element], prefix: str, initial: dict, data) -> bool:
    """Whether the posted values differ from those the form showed (Django's own has_changed).

    The same test Form.has_changed makes, without building the form: a part nobody touched
    needs neither a form nor a check (unchanged values are not checked, see ElementForm.clean).
    """
    for name, field in form_class(cls).base_fields.items():
        posted = field.widget.value_from_datadict(data, None, f"{prefix}-{name}")
        if field.has_changed(initial.get(name), posted):
            return True
    return False


def initial_values(cls: type[Element], node) -> dict:
    raw = cls(node).raw_values()
    initial = {}
    for f in cls.fields.values():
        value = raw[f.name]
        if isinstance(f, Many):
            for i, name in enumerate(form_names(f)):
                initial[name] = value[i] if i < len(value) else ""
        elif isinstance(f, Flag):
            initial[f.name] = value == "yes"
        else:
            initial[f.name] = value or ""
    return initial


def form_names(f: Field) -> list[str]:
    """The form inputs of a declared field: one, or one per slot of a list (boot order)."""
    if isinstance(f, Many):
        return [f"{f.name}_{i}" for i in range(1, BOOT_SLOTS + 1)]
    return [f.name]


def _from_form(f: Field, data: dict):
    if isinstance(f, Many):
        return [data.get(n) for n in form_names(f) if data.get(n)]
    if isinstance(f, Flag):
        return "yes" if data.get(f.name) else "no"
    value = data.get(f.name)
    return value if value not in ("", None) else None


def _choices(f: Field, blank: str) -> list[tuple[str, str]]:
    return [("", blank), *((c, c) for c in f.choices)]


def _form_fields(f: Field) -> dict[str, forms.Field]:
    common = {"label": f.label, "required": f.required and not f.readonly, "disabled": f.readonly}
    if isinstance(f, Flag):
        return {f.name: forms.BooleanField(**{**common, "required": False})}
    if isinstance(f, Many):
        return {
            name: SharedChoicesField(
                label=f"{f.label}: {i}", required=False, choices=_choices(f, "(none)"), disabled=f.readonly
            )
            for i, name in enumerate(form_names(f), start=1)
        }
    if f.choices:
        blank = f"(not set: libvirt uses {f.default})" if f.default else "(not set)"
        return {f.name: OpenChoiceField(choices=_choices(f, blank), **common)}
    # Numbers are text inputs with a numeric keyboard: a number input would refuse (and post
    # empty) a ${parameter}, silently deleting the value on the next save.
    attrs = {"data-widget": f.conv.widget, "autocomplete": "off", "spellcheck": "false"}
    if isinstance(f.conv, Int):
        attrs["inputmode"] = "numeric"
    return {f.name: forms.CharField(strip=True, widget=forms.TextInput(attrs=attrs), **common)}


class SharedChoicesField(forms.ChoiceField):
    """A choice field whose copies share one choices list.

    Every form gets its own copy of its fields, and Django's copies each field's choices deeply:
    most of the cost of building a form here, which the preview does on every keystroke. Nothing
    changes a choices list in place (OpenChoiceField.prepare_value assigns a new one), so the
    copies can share it.
    """

    def __deepcopy__(self, memo):
        result = forms.Field.__deepcopy__(self, memo)  # the widget, validators and messages, copied
        result._choices = self._choices
        return result


class OpenChoiceField(SharedChoicesField):
    """A select that also shows a value outside its choices (from an imported file) instead of losing it."""

    def valid_value(self, value):
        return True  # the declaration's converter decides, in ElementForm.clean

    def prepare_value(self, value):
        if value and value not in dict(self.choices):
            self.choices = [*self.choices, (value, f"{value} (not a known choice)")]
        return value


@functools.cache
def form_class(cls: type[Element]) -> type[ElementForm]:
    fields: dict[str, forms.Field] = {}
    for f in cls.fields.values():
        fields.update(_form_fields(f))
    return type(f"{cls.__name__}Form", (ElementForm,), {"element": cls, **fields})


def form_for(cls: type[Element], prefix: str, node=None, data=None) -> ElementForm:
    return form_class(cls)(data, node=node, prefix=prefix)
