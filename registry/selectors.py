"""Read-side queries of the registry: scoped rosters with eligibility, in a fixed number of queries per page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q
from django.utils import timezone

from registry import eligibility
from registry.models import Assignment, Criterion, Kind, Organisation, Person, Training


def criteria_by_kind() -> dict[int, list[Criterion]]:
    """Active criteria per kind id, inherited ones (from parent kinds) included; two queries."""
    parents = dict(Kind.objects.values_list("pk", "parent_id"))
    own: dict[int, list[Criterion]] = defaultdict(list)
    for criterion in Criterion.objects.filter(is_active=True).order_by("sort_order", "pk"):
        own[criterion.kind_id].append(criterion)
    result = {}
    for kind_id in parents:
        chain, current = [], kind_id
        while current is not None:
            chain.append(current)
            current = parents.get(current)
        result[kind_id] = [c for k in reversed(chain) for c in own.get(k, [])]
    return result


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
    """The roles held by people in scope, each with its eligibility verdict on ``on`` (default today)."""
    on = on or timezone.localdate()
    people = persons_for_user(user).search(q)
    if wilayah is not None:
        people = people.in_wilayah(wilayah)
    qs = (
        Assignment.objects.filter(person__in=people)
        .select_related("person__desa__kecamatan", "kind__parent", "wilayah")
        .prefetch_related(Prefetch("person__trainings", queryset=Training.objects.order_by("pk")))
        .order_by("person__name", "person_id", "kind__sort_order")
    )
    if kind is not None:
        qs = qs.filter(Q(kind=kind) | Q(kind__parent=kind) | Q(kind__parent__parent=kind))
    if status:
        qs = qs.filter(status=status)
    criteria = criteria_by_kind()
    rows = []
    for assignment in qs:
        subject = eligibility.subject_for_person(assignment.person, assignment)
        verdict = eligibility.evaluate(subject, criteria.get(assignment.kind_id, []), kind=assignment.kind, on=on)
        if not eligibility_status or verdict.status == eligibility_status:
            rows.append(RosterRow(assignment, verdict))
    return rows


def person_verdicts(person: Person, on: date | None = None) -> list[RosterRow]:
    criteria = criteria_by_kind()
    rows = []
    for assignment in person.assignments.select_related("kind__parent", "wilayah").order_by("kind__sort_order"):
        subject = eligibility.subject_for_person(person, assignment)
        rows.append(
            RosterRow(
                assignment,
                eligibility.evaluate(subject, criteria.get(assignment.kind_id, []), kind=assignment.kind, on=on),
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
    criteria = criteria_by_kind()
    rows = []
    for org in qs.order_by("name", "pk"):
        verdict = eligibility.evaluate(
            eligibility.subject_for_organisation(org), criteria.get(org.kind_id, []), kind=org.kind, on=on
        )
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
    user, criterion: Criterion, proposed: Criterion, on: date | None = None
) -> CriterionPreview:
    """How many current records in the user's scope would change eligibility status if ``proposed`` replaced it."""
    on = on or timezone.localdate()
    current = criteria_by_kind()
    kind_ids = [k for k, crits in current.items() if any(c.pk == criterion.pk for c in crits)]
    changes: dict[tuple[str, str], int] = defaultdict(int)
    evaluated = 0
    people = persons_for_user(user)
    assignments = (
        Assignment.objects.filter(person__in=people, kind_id__in=kind_ids)
        .select_related("person__desa", "kind", "wilayah")
        .prefetch_related("person__trainings")
    )
    for assignment in assignments:
        before = current[assignment.kind_id]
        after = [proposed if c.pk == criterion.pk else c for c in before]
        subject = eligibility.subject_for_person(assignment.person, assignment)
        old = eligibility.evaluate(subject, before, kind=assignment.kind, on=on).status
        new = eligibility.evaluate(subject, [c for c in after if c.is_active], kind=assignment.kind, on=on).status
        evaluated += 1
        if old != new:
            changes[(old, new)] += 1
    organisations = (
        organisations_for_user(user).filter(kind_id__in=kind_ids).select_related("kind").prefetch_related("board")
    )
    for org in organisations:
        before = current[org.kind_id]
        after = [proposed if c.pk == criterion.pk else c for c in before]
        subject = eligibility.subject_for_organisation(org)
        old = eligibility.evaluate(subject, before, kind=org.kind, on=on).status
        new = eligibility.evaluate(subject, [c for c in after if c.is_active], kind=org.kind, on=on).status
        evaluated += 1
        if old != new:
            changes[(old, new)] += 1
    return CriterionPreview(evaluated, dict(changes))
