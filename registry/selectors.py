"""Read-side queries of the registry: scoped rosters with eligibility, in a fixed number of queries per page."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.core.paginator import Paginator
from django.db.models import Case, Count, F, Q, When
from django.utils import timezone

from psks_portal.models import Wilayah
from registry import eligibility
from registry.models import Assignment, Criterion, CriterionOverride, Kind, Organisation, Person, Training


class CriteriaBook:
    """The criteria of every kind (inherited ones from parent kinds included), nationally and as each provinsi reads
    them (its overrides in place of the national criteria); three queries, then any number of look-ups."""

    def __init__(self):
        self.parents = dict(Kind.objects.values_list("pk", "parent_id"))
        self.own: dict[int, list[Criterion]] = defaultdict(list)
        for criterion in Criterion.objects.order_by("sort_order", "pk"):
            self.own[criterion.kind_id].append(criterion)
        self.overrides: dict[tuple[int, str], CriterionOverride] = {
            (o.criterion_id, o.provinsi_id): o for o in CriterionOverride.objects.all()
        }
        self._cache: dict[tuple[int, str | None], list[Criterion]] = {}

    def for_kind(self, kind_id: int, provinsi: str | None = None) -> list[Criterion]:
        """The active criteria of a kind in ``provinsi`` (a code; ``None``: the national ones)."""
        key = (kind_id, provinsi)
        if key not in self._cache:
            criteria = [self.read(c, provinsi) for k in _chain(self, kind_id) for c in self.own.get(k, [])]
            self._cache[key] = [c for c in criteria if c.is_active]
        return self._cache[key]

    def read(self, criterion: Criterion, provinsi: str | None) -> Criterion:
        """A criterion as it reads in ``provinsi``."""
        override = self.overrides.get((criterion.pk, provinsi)) if provinsi else None
        return override.applied() if override else criterion

    def override(self, criterion: Criterion, provinsi: str) -> CriterionOverride | None:
        return self.overrides.get((criterion.pk, provinsi))


def criteria_by_kind(provinsi: str | None = None) -> dict[int, list[Criterion]]:
    """Active criteria per kind id as they read in ``provinsi`` (national ones without), inherited ones included."""
    book = CriteriaBook()
    return {kind_id: book.for_kind(kind_id, provinsi) for kind_id in book.parents}


def provinsi_of(code: str | None) -> str | None:
    """The provinsi code of a wilayah code (``32.74.01`` → ``32``)."""
    return code[:2] if code else None


def persons_for_user(user):
    """People domiciled in a desa inside the user's wilayah."""
    return Person.objects.for_user(user)


def assignments_for_user(user):
    return Assignment.objects.filter(person__in=persons_for_user(user))


@dataclass
class RosterRow:
    assignment: Assignment
    verdict: eligibility.Verdict

    @property
    def person(self) -> Person:
        return self.assignment.person


def roster_assignments(user, *, wilayah=None, kind: Kind | None = None, status: str = "", q: str = ""):
    """The roles held by people in scope (a queryset: count and paginate it in the database)."""
    people = persons_for_user(user).search(q)
    if wilayah is not None:
        people = people.in_wilayah(wilayah)
    qs = (
        Assignment.objects.filter(person__in=people)
        .select_related("person", "wilayah")
        .annotate(
            domicile_kecamatan=F("person__desa__kecamatan"),
            assignment_kecamatan=Case(When(wilayah__level=3, then=F("wilayah")), default=F("wilayah__kecamatan")),
        )
        .order_by("person__name", "person_id", "kind__sort_order", "pk")
    )
    if kind is not None:
        qs = qs.filter(Q(kind=kind) | Q(kind__parent=kind) | Q(kind__parent__parent=kind))
    if status:
        qs = qs.filter(status=status)
    return qs


def evaluate_assignments(assignments, on: date | None = None, *, people=None) -> list[RosterRow]:
    """Eligibility of each role (from ``roster_assignments``), in a fixed number of queries whatever the row count.

    ``people`` (a queryset of the persons concerned) lets a long list fetch trainings with a subquery instead of a
    long ``IN`` list.
    """
    on = on or timezone.localdate()
    assignments = list(assignments)
    book = CriteriaBook()
    kinds = {k.pk: k for k in Kind.objects.select_related("parent")}
    trainings: dict[int, list] = defaultdict(list)
    owners = people if people is not None else [a.person_id for a in assignments]
    rows_of_training = Training.objects.filter(person__in=owners).values_list(
        "person_id", "category", "date", "valid_until", "name"
    )
    for person_id, category, start, until, name in rows_of_training:
        trainings[person_id].append(Training(category=category, date=start, valid_until=until, name=name))
    codes = {a.domicile_kecamatan for a in assignments} | {a.assignment_kecamatan for a in assignments}
    wilayah = Wilayah.objects.filter(code__in=[c for c in codes if c]).only("code", "name", "kind", "level")
    labels = {w.code: w.label for w in wilayah}
    rows = []
    for a in assignments:
        a.kind = kinds[a.kind_id]
        person = a.person
        subject = eligibility.person_subject(
            person,
            kind_name=a.kind.short_name,
            facts={**(person.facts or {}), **(a.facts or {})},
            domicile_kecamatan=a.domicile_kecamatan,
            assignment_kecamatan=a.assignment_kecamatan,
            assignment_start=a.start_date,
            domicile_label=labels.get(a.domicile_kecamatan, ""),
            assignment_label=labels.get(a.assignment_kecamatan, ""),
            trainings=tuple(trainings.get(person.pk, ())),
        )
        criteria = book.for_kind(a.kind_id, provinsi_of(a.wilayah_id))
        rows.append(RosterRow(a, eligibility.evaluate(subject, criteria, kind=a.kind, on=on)))
    return rows


def roster(
    user,
    *,
    wilayah=None,
    kind: Kind | None = None,
    status: str = "",
    q: str = "",
    eligibility_status: str = "",
    on: date | None = None,
) -> list[RosterRow]:
    """Every role held by people in scope with its eligibility verdict on ``on`` (default today), filtered."""
    qs = roster_assignments(user, wilayah=wilayah, kind=kind, status=status, q=q)
    rows = evaluate_assignments(qs, on, people=Person.objects.filter(pk__in=qs.values("person_id")))
    return [r for r in rows if not eligibility_status or r.verdict.status == eligibility_status]


EXPORT_CHUNK = 2000


def iter_roster(
    user,
    *,
    wilayah=None,
    kind: Kind | None = None,
    status: str = "",
    q: str = "",
    eligibility_status: str = "",
    on: date | None = None,
    chunk_size: int = EXPORT_CHUNK,
) -> Iterator[RosterRow]:
    """The rows of ``roster`` in the same order, evaluated ``chunk_size`` roles at a time (for exports: memory stays
    flat whatever the number of rows; a fixed number of queries per chunk).

    The order is fixed first as a list of primary keys; each chunk is then read with its people, desa and kecamatan.
    """
    on = on or timezone.localdate()
    qs = roster_assignments(user, wilayah=wilayah, kind=kind, status=status, q=q).select_related(
        "person__desa__kecamatan"
    )
    order = list(qs.values_list("pk", flat=True))
    for start in range(0, len(order), chunk_size):
        keys = order[start : start + chunk_size]
        found = {a.pk: a for a in qs.filter(pk__in=keys)}
        chunk = [found[pk] for pk in keys if pk in found]  # a role deleted meanwhile is skipped
        for row in evaluate_assignments(chunk, on):
            if not eligibility_status or row.verdict.status == eligibility_status:
                yield row


def _verdicts_by_assignment(qs, on: date | None, people) -> dict[int, eligibility.Verdict]:
    """Eligibility of every role in ``qs`` from plain values (no model instances): the fast path for filtering."""
    on = on or timezone.localdate()
    book = CriteriaBook()
    short_names = {k.pk: k.short_name for k in Kind.objects.all()}
    trainings: dict[int, list] = defaultdict(list)
    for person_id, category, start, until, name in Training.objects.filter(person__in=people).values_list(
        "person_id", "category", "date", "valid_until", "name"
    ):
        trainings[person_id].append(Training(category=category, date=start, valid_until=until, name=name))
    fields = (
        "pk",
        "kind_id",
        "start_date",
        "facts",
        "person_id",
        "person__birth_date",
        "person__sex",
        "person__education",
        "person__asn_status",
        "person__golongan",
        "person__facts",
        "domicile_kecamatan",
        "assignment_kecamatan",
        "wilayah_id",
    )
    verdicts = {}
    for (
        pk,
        kind_id,
        start,
        facts,
        person_id,
        birth,
        sex,
        education,
        asn,
        golongan,
        person_facts,
        domicile,
        assigned,
        held_in,
    ) in qs.values_list(*fields):
        subject = eligibility.Subject(
            kind_name=short_names[kind_id],
            birth_date=birth,
            sex=sex,
            education=education,
            asn_status=asn,
            golongan=golongan,
            domicile_kecamatan=domicile,
            assignment_kecamatan=assigned,
            assignment_start=start,
            trainings=tuple(trainings.get(person_id, ())),
            facts={**(person_facts or {}), **(facts or {})},
        )
        verdicts[pk] = eligibility.evaluate(subject, book.for_kind(kind_id, provinsi_of(held_in)), on=on)
    return verdicts


def roster_page(user, *, page, per_page: int = 50, eligibility_status: str = "", on: date | None = None, **filters):
    """One page of the roster and the total.

    Without an eligibility filter only the page's rows are evaluated. With one, every role in scope is evaluated
    from plain values and only the page's rows become model instances (evaluated again, with wilayah labels).
    """
    qs = roster_assignments(user, **filters)
    if eligibility_status:
        people = Person.objects.filter(pk__in=qs.values("person_id"))
        verdicts = _verdicts_by_assignment(qs, on, people)
        matching = [pk for pk, verdict in verdicts.items() if verdict.status == eligibility_status]
        result = Paginator(matching, per_page).get_page(page)
        objects = {a.pk: a for a in qs.filter(pk__in=list(result.object_list))}
        result.object_list = evaluate_assignments([objects[pk] for pk in result.object_list], on)
        return result, len(matching)
    result = Paginator(qs, per_page).get_page(page)
    result.object_list = evaluate_assignments(result.object_list, on)
    return result, result.paginator.count


def person_verdicts(person: Person, on: date | None = None) -> list[RosterRow]:
    book = CriteriaBook()
    rows = []
    for assignment in person.assignments.select_related("kind__parent", "wilayah").order_by("kind__sort_order"):
        subject = eligibility.subject_for_person(person, assignment)
        rows.append(
            RosterRow(
                assignment,
                eligibility.evaluate(
                    subject,
                    book.for_kind(assignment.kind_id, provinsi_of(assignment.wilayah_id)),
                    kind=assignment.kind,
                    on=on,
                ),
            )
        )
    return rows


def organisations_for_user(user):
    return Organisation.objects.for_user(user)


def organisation_roster(
    user,
    *,
    wilayah=None,
    kind: Kind | None = None,
    q: str = "",
    eligibility_status: str = "",
    active: bool | None = None,
    on: date | None = None,
):
    on = on or timezone.localdate()
    qs = organisations_for_user(user).search(q).select_related("kind", "desa__kecamatan").prefetch_related("board")
    if wilayah is not None:
        qs = qs.in_wilayah(wilayah)
    if kind is not None:
        qs = qs.filter(kind=kind)
    if active is not None:
        qs = qs.filter(is_active=active)
    book = CriteriaBook()
    rows = []
    for org in qs.order_by("name", "pk"):
        criteria = book.for_kind(org.kind_id, provinsi_of(org.desa_id))
        verdict = eligibility.evaluate(eligibility.subject_for_organisation(org), criteria, kind=org.kind, on=on)
        if not eligibility_status or verdict.status == eligibility_status:
            rows.append((org, verdict))
    return rows


@dataclass
class CriterionPreview:
    evaluated: int
    changes: dict[tuple[str, str], int]  # (old status, new status) -> count

    @property
    def changed(self) -> int:
        return sum(self.changes.values())


def criterion_change_preview(
    user, criterion: Criterion, proposed: Criterion, *, provinsi: str | None = None, on: date | None = None
) -> CriterionPreview:
    """How many current records in the user's scope would change eligibility status if ``proposed`` replaced the
    criterion — as it reads in ``provinsi`` (an override), or nationally (``None``), where a provinsi that has its
    own version of the criterion is not touched by the change and is not counted."""
    on = on or timezone.localdate()
    book = CriteriaBook()
    kind_ids = [k for k in book.parents if _inherits(book, k, criterion.kind_id)]
    changes: dict[tuple[str, str], int] = defaultdict(int)
    evaluated = 0

    def compare(subject, kind, kind_id: int, where: str | None) -> None:
        nonlocal evaluated
        if where is None or (provinsi is not None and where != provinsi):
            return
        if provinsi is None and book.override(criterion, where):
            return  # the provinsi reads its own version: a national change does not reach it
        before = book.for_kind(kind_id, where)
        chain = [c for k in _chain(book, kind_id) for c in book.own.get(k, [])]
        after = [proposed if c.pk == criterion.pk else book.read(c, where) for c in chain]
        old = eligibility.evaluate(subject, before, kind=kind, on=on).status
        new = eligibility.evaluate(subject, [c for c in after if c.is_active], kind=kind, on=on).status
        evaluated += 1
        if old != new:
            changes[(old, new)] += 1

    assignments = assignments_for_user(user).filter(kind_id__in=kind_ids)
    if provinsi is not None:
        assignments = assignments.filter(wilayah__provinsi=provinsi)
    for assignment in assignments.select_related("person__desa", "kind", "wilayah").prefetch_related(
        "person__trainings"
    ):
        subject = eligibility.subject_for_person(assignment.person, assignment)
        compare(subject, assignment.kind, assignment.kind_id, provinsi_of(assignment.wilayah_id))
    organisations = organisations_for_user(user).filter(kind_id__in=kind_ids)
    if provinsi is not None:
        organisations = organisations.filter(desa__provinsi=provinsi)
    for org in organisations.select_related("kind").prefetch_related("board"):
        compare(eligibility.subject_for_organisation(org), org.kind, org.kind_id, provinsi_of(org.desa_id))
    return CriterionPreview(evaluated, dict(changes))


def _chain(book: CriteriaBook, kind_id: int) -> list[int]:
    """A kind and its ancestors, the top first (the order criteria are applied in)."""
    chain, current = [], kind_id
    while current is not None:
        chain.append(current)
        current = book.parents.get(current)
    return list(reversed(chain))


def _inherits(book: CriteriaBook, kind_id: int, ancestor: int) -> bool:
    return ancestor in _chain(book, kind_id)


def psks_present(kecamatan_code: str, on: date) -> list[tuple[str, int, int]]:
    """PSKS present in each desa of a kecamatan on a date, by type: ``(desa_code, kind_id, count)``.

    People count in the desa where they live, once per active role held on the date; organisations and families
    count in their desa while active. Two GROUP BY queries; the monthly report freezes this at submission.
    """
    started = Q(start_date__isnull=True) | Q(start_date__lte=on)
    not_ended = Q(end_date__isnull=True) | Q(end_date__gte=on)
    people = (
        Assignment.objects.active()
        .filter(started, not_ended, person__desa__kecamatan=kecamatan_code)
        .values_list("person__desa_id", "kind_id")
        .annotate(n=Count("person", distinct=True))
        .order_by()
    )
    organisations = (
        Organisation.objects.filter(is_active=True, desa__kecamatan=kecamatan_code)
        .values_list("desa_id", "kind_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[tuple[str, int], int] = {}
    for desa, kind, n in [*people, *organisations]:
        counts[(desa, kind)] = counts.get((desa, kind), 0) + n
    return [(desa, kind, n) for (desa, kind), n in sorted(counts.items())]


def kecamatan_with_active_tksk():
    """Codes of kecamatan that hold an active TKSK (a subquery for completeness: expected reports)."""
    return Assignment.objects.filter(holds_tksk_seat=True).values("wilayah_id")


def active_tksk_names(kecamatan_codes) -> dict[str, str]:
    """The name of the active TKSK of each kecamatan."""
    rows = Assignment.objects.filter(holds_tksk_seat=True, wilayah_id__in=kecamatan_codes).values_list(
        "wilayah_id", "person__name"
    )
    return dict(rows)
