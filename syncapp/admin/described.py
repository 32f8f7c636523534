"""Edit forms that know what Salesforce will accept, from the describe the schema step keeps in FieldSetting.

A value Salesforce would refuse (an invalid email, 41 characters in a 40-character field, a value outside a
restricted picklist, an empty required field) is a form error now, not a rejection after the next push.
Salesforce's own rejection stays the last line of defence: describe can lag behind the org.

Only fields the marketer changed are validated. A value Salesforce already holds is Salesforce's business:
an address it accepted years ago under laxer rules, or a NUL character from an integration, must never stop
an edit of another field (and unchanged fields never reach the outbox).
"""

from __future__ import annotations

from django import forms
from django.core import validators
from django.db import models
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from syncapp import selectors
from syncapp.models import FieldSetting

# Salesforce field types whose values are text on our side, and what else each of them checks.
TEXT_TYPES = {"string", "email", "phone", "url", "textarea", "picklist", "combobox", "encryptedstring"}
NUMBER_TYPES = {"int", "double", "currency", "percent"}

# A NUL cannot travel through a page (browsers turn it into U+FFFD): it is shown as the symbol for NUL,
# and a field sent back with the symbol where its stored value has the NUL is unchanged.
NUL, NUL_SYMBOL = "\x00", "\u2400"


def _shown(value: object) -> object:
    return value.replace(NUL, NUL_SYMBOL) if isinstance(value, str) else value


class DatalistTextInput(forms.TextInput):
    """A text box offering Salesforce's picklist values as suggestions, for picklists that accept others."""

    def __init__(self, options: list[tuple[str, str]], attrs: dict | None = None) -> None:
        super().__init__(attrs)
        self.options = options

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        list_id = f"{(attrs or {}).get('id') or self.attrs.get('id') or name}_values"
        box = super().render(name, value, {**(attrs or {}), "list": list_id}, renderer)
        options = format_html_join(
            "",
            '<option value="{}">{}</option>',
            ((v, label if label != v else "") for v, label in self.options),
        )
        return format_html('{}<datalist id="{}">{}</datalist>', box, list_id, options)


class SalesforceTextField(forms.CharField):
    """A text field that shows a stored NUL as ␀, and asks for both to be removed from a changed value."""

    def prepare_value(self, value):
        return _shown(super().prepare_value(value))

    def has_changed(self, initial, data) -> bool:
        return super().has_changed(_shown(initial), _shown(data))

    def validate(self, value) -> None:
        super().validate(value)
        if isinstance(value, str) and (NUL in value or NUL_SYMBOL in value):
            raise forms.ValidationError(
                f"Salesforce cannot store a NUL character (shown as {NUL_SYMBOL}): remove it.", code="null"
            )


class ChangedFieldsOnlyForm(forms.ModelForm):
    """Validates only what the marketer changed; an untouched field keeps its stored value, unvalidated."""

    def _post_clean(self) -> None:
        super()._post_clean()
        changed = set(self.changed_data)
        for name in [name for name in (self._errors or {}) if name in self.fields and name not in changed]:
            del self._errors[name]
            self.cleaned_data[name] = self.get_initial_for_field(self.fields[name], name)


def _text_field(field: forms.Field) -> SalesforceTextField:
    text = SalesforceTextField(
        required=field.required,
        label=field.label,
        help_text=field.help_text,
        max_length=getattr(field, "max_length", None),
        widget=field.widget,
        empty_value=getattr(field, "empty_value", ""),
    )
    # The model column's own checks, less Django's NUL check: validate() says it in a marketer's words.
    own = [v for v in field.validators if not isinstance(v, validators.ProhibitNullCharactersValidator)]
    text.validators = [v for v in own if v not in text.validators] + [
        v for v in text.validators if not isinstance(v, validators.ProhibitNullCharactersValidator)
    ]
    return text


def _picklist_field(field: forms.Field, setting: FieldSetting, current: object) -> forms.Field:
    options = setting.picklist()
    if setting.restricted_picklist:
        choices = [("", "---------")] if not field.required or current in (None, "") else []
        choices += options
        # A value Salesforce has since made inactive stays selectable as it is, or saving an unrelated change
        # would silently switch the select to another value.
        if current and str(current) not in {value for value, _ in options}:
            label = dict(setting.picklist(active_only=False)).get(str(current), str(current))
            choices.append((str(current), f"{label} (no longer active in Salesforce)"))
        return forms.ChoiceField(
            choices=choices, required=field.required, label=field.label, help_text=field.help_text
        )
    field.widget = DatalistTextInput(options, attrs=field.widget.attrs)
    return field


def described_form_field(
    field: forms.Field, setting: FieldSetting | None, current: object = None
) -> forms.Field:
    """`field` (built from our model column) narrowed to what Salesforce's describe of it accepts."""
    if isinstance(field, forms.CharField) and not isinstance(field, SalesforceTextField):
        field = _text_field(field)
    if setting is None:
        return field
    sf_type = setting.type
    # Required only when the record holds a value now: the browser's "required" must not block saving a
    # record whose field is empty already (a person not yet in Salesforce gets the sync's defaults).
    if not setting.nillable and sf_type != "boolean" and current not in (None, ""):
        field.required = True
    if not isinstance(field, forms.CharField):
        return field  # dates, numbers and booleans: the model column's own form field validates the type
    shorter = field.max_length is None or setting.length < field.max_length
    if sf_type in TEXT_TYPES and setting.length and shorter:
        field.max_length = setting.length
        field.validators.append(validators.MaxLengthValidator(setting.length))
        field.widget.attrs["maxlength"] = str(setting.length)
    # Checked here, not by the browser (no type="email"): a browser would refuse to submit a form whose
    # untouched email Salesforce accepted under laxer rules.
    if sf_type == "email":
        field.validators.append(validators.EmailValidator())
    elif sf_type in NUMBER_TYPES:
        field.validators.append(validators.RegexValidator(r"^-?\d+(\.\d+)?$", "Enter a number."))
    if sf_type in ("picklist", "combobox") and setting.picklist():
        return _picklist_field(field, setting, current)
    return field


class DescribedFormMixin:
    """For what a marketer edits: each synced field's form field follows Salesforce's describe of it."""

    form = ChangedFieldsOnlyForm
    editable_fields: tuple[str, ...] = ()

    def get_form(self, request: HttpRequest, obj: models.Model | None = None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None:
            return form

        described = selectors.fields_described_for(obj=obj, candidates=self.editable_fields)
        for name, field in list(form.base_fields.items()):
            if name in self.editable_fields:
                form.base_fields[name] = described_form_field(
                    field, described.get(name), getattr(obj, name, None)
                )
        return form
