"""The staff's list forms (partner units, resources, projects) as typed, and reading them:
pure functions, text in, checked column values out, every problem noted in a `Fields`."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from app.formfields import Fields
from app.i18n import _
from needs.logic.labels import CATEGORY_LABELS, categories_of

TITLE_MAX = 100
DESCRIPTION_MAX = 2000
_PHONE = re.compile(r"^[0-9+\-() ]{3,30}$")


@dataclass
class UnitForm:
    community: str = ""
    name_zh: str = ""
    name_en: str = ""
    kind: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_login: str = ""
    """The contact person's Linli account: their mobile number or email, or empty."""
    categories: list[str] | str = field(default_factory=list)
    """Category keys; a form with one box ticked sends a single string."""


@dataclass
class ResourceForm:
    community: str = ""
    title_zh: str = ""
    title_en: str = ""
    description: str = ""
    category: str = ""
    availability: str = ""
    offered_by: str = ""
    """`unit:<id>`, `volunteer:<id>`, or empty for the community's own."""


@dataclass
class ProjectForm:
    community: str = ""
    title_zh: str = ""
    title_en: str = ""
    description: str = ""
    categories: list[str] | str = field(default_factory=list)
    resources: list[str] | str = field(default_factory=list)
    """Ids of the community's resources the project bundles."""


def as_list(value: list[str] | str) -> list[str]:
    """A repeated form field: one ticked box arrives as a single string."""
    return [value] if isinstance(value, str) else list(value)


def read_categories(fields: Fields, value: list[str] | str, name: str, *, required: bool) -> str:
    """The ticked categories as the stored comma list, in the order of the list."""
    chosen = [item.strip() for item in as_list(value) if item.strip()]
    if any(item not in CATEGORY_LABELS for item in chosen):
        fields.error(name, _("Choose categories from the list."))
    elif required and not chosen:
        fields.error(name, _("Choose at least one category."))
    return ",".join(categories_of(",".join(chosen)))


def titles(fields: Fields, form: Any, prefix: str, missing: str) -> dict[str, str]:
    return {
        f"{prefix}_zh": fields.text(
            getattr(form, f"{prefix}_zh"),
            f"{prefix}_zh",
            max_length=TITLE_MAX,
            required=missing,
            single_line=True,
        ),
        f"{prefix}_en": fields.text(
            getattr(form, f"{prefix}_en"), f"{prefix}_en", max_length=TITLE_MAX, single_line=True
        ),
    }


def unit_values(fields: Fields, form: UnitForm) -> dict[str, Any]:
    """A unit's checked columns (its contact account is looked up separately)."""
    values = {
        **titles(fields, form, "name", _("Enter the name in Chinese.")),
        "kind": fields.text(form.kind, "kind", max_length=40),
        "categories": read_categories(fields, form.categories, "categories", required=False),
        "contact_name": fields.text(
            form.contact_name, "contact_name", max_length=60, single_line=True
        ),
        "contact_phone": " ".join(unicodedata.normalize("NFKC", form.contact_phone).split()),
    }
    if values["contact_phone"] and not _PHONE.match(values["contact_phone"]):
        fields.error(
            "contact_phone", _("Use digits, spaces, +, - and brackets only, such as 0355-1234567.")
        )
    return values


def resource_values(fields: Fields, form: ResourceForm) -> dict[str, Any]:
    """A resource's checked columns (who offers it is checked against the database)."""
    values = {
        **titles(fields, form, "title", _("Enter the title in Chinese.")),
        "description": fields.text(form.description, "description", max_length=DESCRIPTION_MAX),
        "category": form.category.strip(),
    }
    if values["category"] not in CATEGORY_LABELS:
        fields.error("category", _("Choose a category from the list."))
    values["availability"] = fields.text(form.availability, "availability", max_length=200)
    return values


def project_values(fields: Fields, form: ProjectForm) -> dict[str, Any]:
    return {
        **titles(fields, form, "title", _("Enter the title in Chinese.")),
        "description": fields.text(form.description, "description", max_length=DESCRIPTION_MAX),
        "categories": read_categories(fields, form.categories, "categories", required=False),
    }
