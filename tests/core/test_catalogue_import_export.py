"""The admin's import and export of the national catalogues (django-import-export, ``psks_portal/resources.py``):
registry kinds and criteria, PMKS catalogues, categories and mappings.

Files are made by the admin's own export view and read back with openpyxl or csv; imports go through the admin's two
steps (upload → dry run with its report, then confirm). Expected values come from the shipped fixture files, not from
the resources.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from pmks.models import Catalogue, Category, CategoryMapping
from registry.models import Criterion, Kind

pytestmark = pytest.mark.django_db

# admin URL name prefix → (model, column headers of its file, natural key of a row as in the file)
ADMINS = {
    "registry_kind": (
        Kind,
        ["code", "name", "abbreviation", "subject", "psks_number", "sdm_group", "regulation", "aliases", "definition",
         "sort_order", "parent", "is_local", "is_active"],
    ),
    "registry_criterion": (
        Criterion, ["kind", "code", "type", "params", "label", "source", "note", "is_active", "sort_order"]
    ),
    "pmks_catalogue": (Catalogue, ["code", "name", "regulation", "year", "is_active"]),
    "pmks_category": (
        Category,
        ["catalogue", "number", "code", "name", "ppks_label", "definition", "unit", "min_age", "max_age", "sex",
         "sensitivity", "atensi_cluster", "note", "bidang"],
    ),
    "pmks_categorymapping": (
        CategoryMapping,
        ["source_catalogue", "source", "target_catalogue", "target", "min_age", "max_age", "source_note"],
    ),
}  # fmt: skip
FORMATS = {"xlsx": "0", "csv": "1"}  # the admin's choices, in the order of NationalCatalogueAdminMixin.formats


def shipped(name: str) -> dict:
    return json.loads((settings.BASE_DIR / "fixtures" / name).read_text(encoding="utf-8"))


def export(client, admin: str, fmt: str = "xlsx") -> bytes:
    """The admin's export view, every field ticked."""
    url = reverse(f"admin:{admin}_export")
    form = client.get(url).context["form"]
    data = {name: "on" for name in form.fields if name not in ("resource", "format", "export_items")}
    response = client.post(url, {**data, "resource": "0", "format": FORMATS[fmt]})
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    return response.content


def rows(content: bytes, fmt: str = "xlsx") -> list[list]:
    if fmt == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def as_xlsx(table: list[list]) -> bytes:
    workbook = Workbook()
    for row in table:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, admin: str, content: bytes, fmt: str = "xlsx"):
    """Step one: the dry run. Returns the response (its context holds the result and, if clean, the confirm form)."""
    upload_file = io.BytesIO(content)
    upload_file.name = f"katalog.{fmt}"
    return client.post(
        reverse(f"admin:{admin}_import"), {"resource": "0", "format": FORMATS[fmt], "import_file": upload_file}
    )


def confirm(client, admin: str, preview):
    form = preview.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    return client.post(reverse(f"admin:{admin}_process_import"), data)


def history_count() -> int:
    return sum(m.history.count() for m in (Kind, Criterion, Catalogue, Category))


@pytest.fixture
def root(people, login):
    return login(people["root"])


@pytest.mark.parametrize("admin", list(ADMINS))
def test_the_export_has_one_row_per_record_with_codes_not_database_ids(root, admin):
    model, headers = ADMINS[admin]
    table = rows(export(root, admin))
    assert table[0] == headers
    assert len(table) - 1 == model.objects.count()
    assert "id" not in table[0]


def test_an_exported_kind_and_its_criterion_read_back_as_shipped(root):
    tagana = next(k for k in shipped("registry/kinds.json")["kinds"] if k["code"] == "tagana")
    table = rows(export(root, "registry_kind"))
    kinds = {row[0]: dict(zip(table[0], row, strict=True)) for row in table[1:]}
    row = kinds["tagana"]
    assert (row["name"], row["abbreviation"], row["psks_number"], row["sdm_group"], row["regulation"]) == (
        tagana["name"], tagana["abbreviation"], tagana["psks_number"], tagana["sdm_group"], tagana["regulation"]
    )  # fmt: skip
    assert row["parent"] is None and kinds["pendamping-pkh"]["parent"] == "pendamping-sosial"
    spec = tagana["criteria"][0]
    criteria = rows(export(root, "registry_criterion", "csv"), "csv")
    age = next(dict(zip(criteria[0], r, strict=True)) for r in criteria[1:] if r[:2] == ["tagana", spec["code"]])
    assert json.loads(age["params"]) == spec["params"] == {"min": 18, "max": 40}
    assert (age["type"], age["label"], age["source"]) == (spec["type"], spec["label"], spec["source"])


def test_exported_categories_and_mappings_name_their_catalogue(root):
    data = shipped("pmks/catalogues.json")
    permensos = next(c for c in data["catalogues"] if c["code"] == "permensos-08-2012")
    lut = next(c for c in permensos["categories"] if c["code"] == "LUT")
    table = rows(export(root, "pmks_category"))
    row = next(dict(zip(table[0], r, strict=True)) for r in table[1:] if r[0] == "permensos-08-2012" and r[2] == "LUT")
    assert (row["number"], row["name"], row["min_age"], row["max_age"]) == (
        lut["number"], lut["name"], lut["min_age"], lut["max_age"]
    )  # fmt: skip
    expected_pairs = sum(len(splits) for c in data["catalogues"] for splits in c.get("mapping", {}).values())
    mappings = rows(export(root, "pmks_categorymapping"))
    assert len(mappings) - 1 == expected_pairs
    assert {r[2] for r in mappings[1:]} == {"permensos-08-2012"}  # every target is in Permensos 08/2012
    assert all(r[0] in ("pmks-22-2009", "pmks-26-lama") for r in mappings[1:])
    catalogues = rows(export(root, "pmks_catalogue"))
    assert {r[0]: r[4] for r in catalogues[1:]}["permensos-08-2012"] in (True, 1, "1")  # the active one


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("admin", list(ADMINS))
def test_importing_an_export_unchanged_changes_nothing(root, admin, fmt):
    model, _ = ADMINS[admin]
    content = export(root, admin, fmt)
    before = (model.objects.count(), history_count())
    preview = upload(root, admin, content, fmt)
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == model.objects.count() and result.totals["update"] == result.totals["new"] == 0
    assert confirm(root, admin, preview).status_code == 302
    assert (model.objects.count(), history_count()) == before


def test_a_changed_criterion_is_imported_with_its_history_and_reason(root, people):
    table = rows(export(root, "registry_criterion"))
    index = next(i for i, r in enumerate(table) if r[:2] == ["tagana", "usia"])
    table[index][table[0].index("params")] = json.dumps({"min": 18, "max": 45})
    preview = upload(root, "registry_criterion", as_xlsx(table))
    result = preview.context["result"]
    assert (result.totals["update"], result.totals["skip"]) == (1, len(table) - 2)
    assert Criterion.objects.get(kind__code="tagana", code="usia").params == {"min": 18, "max": 40}  # a dry run only
    response = confirm(root, "registry_criterion", preview)
    assert response.status_code == 302
    criterion = Criterion.objects.get(kind__code="tagana", code="usia")
    assert criterion.params == {"min": 18, "max": 45}
    latest, previous = criterion.history.order_by("-history_id")[:2]
    assert latest.history_change_reason == "Diimpor lewat admin" and latest.history_user == people["root"]
    assert [change.field for change in latest.diff_against(previous).changes] == ["params"]


def test_a_changed_category_and_a_new_local_kind_are_imported(root):
    categories = rows(export(root, "pmks_category"))
    index = next(i for i, r in enumerate(categories) if r[0] == "permensos-08-2012" and r[2] == "LUT")
    categories[index][categories[0].index("bidang")] = "Bidang Rehabilitasi Sosial"
    assert confirm(root, "pmks_category", upload(root, "pmks_category", as_xlsx(categories))).status_code == 302
    lut = Category.objects.get(catalogue__code="permensos-08-2012", code="LUT")
    assert lut.bidang == "Bidang Rehabilitasi Sosial"
    assert lut.history.latest().history_change_reason == "Diimpor lewat admin"

    kinds = rows(export(root, "registry_kind", "csv"), "csv")
    new = {"code": "kader-lokal", "name": "Kader Lokal", "abbreviation": "=1+1", "subject": "person", "parent": "tks",
           "regulation": "Perda", "is_local": "1", "is_active": "1", "sort_order": "999"}  # fmt: skip
    kinds.append([new.get(column, "") for column in kinds[0]])
    content = "\n".join(",".join(r if "," not in r else f'"{r}"' for r in row) for row in kinds)
    preview = upload(root, "registry_kind", content.encode(), "csv")
    assert preview.context["result"].totals["new"] == 1
    assert confirm(root, "registry_kind", preview).status_code == 302
    local = Kind.objects.get(code="kader-lokal")
    assert (local.parent.code, local.is_local, local.abbreviation) == ("tks", True, "=1+1")
    # Exported again, the abbreviation cannot run as a formula, and the file still imports unchanged.
    exported = {row[0]: row for row in rows(export(root, "registry_kind"))}
    assert exported["kader-lokal"][ADMINS["registry_kind"][1].index("abbreviation")] == "'=1+1"
    again = upload(root, "registry_kind", export(root, "registry_kind"))
    assert again.context["result"].totals["skip"] == Kind.objects.count()


def test_an_unknown_code_is_named_in_indonesian_and_nothing_is_written(root):
    table = rows(export(root, "registry_criterion"))
    index = next(i for i, r in enumerate(table) if r[:2] == ["tagana", "usia"])
    table[index][table[0].index("label")] = "Diubah"
    table.append(["tidak-ada", "usia", "age_range", "{}", "Uraian", "Sumber", "", 1, 10])
    preview = upload(root, "registry_criterion", as_xlsx(table))
    result = preview.context["result"]
    assert (result.has_errors() or result.has_validation_errors()) and "confirm_form" not in preview.context
    assert "Jenis “tidak-ada” tidak terdaftar." in preview.content.decode()
    assert Criterion.objects.get(kind__code="tagana", code="usia").label != "Diubah"


@pytest.mark.parametrize("admin", list(ADMINS))
def test_only_a_superuser_imports_a_national_catalogue(people, login, admin):
    """Fajar, an Admin Provinsi given staff status and every permission on the model, may look and export, never
    import: the catalogues are the same for every provinsi."""
    model, _ = ADMINS[admin]
    fajar = people["fajar"]
    fajar.is_staff = True
    fajar.save()
    fajar.user_permissions.set(Permission.objects.filter(content_type__model=model._meta.model_name))
    client = login(fajar)
    page = client.get(reverse(f"admin:{admin}_changelist"))
    assert page.status_code == 200
    assert reverse(f"admin:{admin}_import") not in page.content.decode()
    assert client.get(reverse(f"admin:{admin}_import")).status_code == 403
    before = history_count()
    content = export(client, admin)  # looking and exporting is allowed
    assert upload(client, admin, content).status_code == 403
    assert client.post(reverse(f"admin:{admin}_process_import"), {}).status_code == 403
    assert history_count() == before


def test_an_account_that_may_not_view_a_catalogue_cannot_export_it(people, login):
    dedi = people["dedi"]
    dedi.is_staff = True
    dedi.save()
    assert login(dedi).get(reverse("admin:registry_kind_export")).status_code == 403
