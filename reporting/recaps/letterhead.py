"""Who issues a recap: the kop surat and the signature block of the dinas that sends it up the chain.

The issuing office is the dinas of the user's own wilayah — a kabupaten/kota or a provinsi (a TKSK's or a kecamatan
Pimpinan's dinas is their kabupaten/kota). A national user issues as the dinas of the wilayah recapped. The office's
``Letterhead`` is used when an admin has configured it; otherwise a plain default built from the wilayah's name, with
dotted lines where the name and NIP of the Kepala Dinas are to be written by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from psks_portal import periods
from psks_portal.digits import is_ascii_digits
from psks_portal.models import Wilayah
from reporting.models import Letterhead

DOTS = "………………………………"


@dataclass(frozen=True)
class Issuer:
    government: str
    office: str
    address: str
    contact: str
    logo_path: Path | None
    city: str
    position: str
    position_area: str
    name: str
    rank: str
    nip: str
    configured: bool

    @property
    def position_line(self) -> str:
        """KEPALA DINAS SOSIAL KABUPATEN CIAMIS (the area added unless the configured position names it already)."""
        position = self.position or "Kepala Dinas Sosial"
        if self.position_area and self.position_area.casefold() not in position.casefold():
            position = f"{position} {self.position_area}"
        return position.upper()

    @property
    def nip_display(self) -> str:
        """An 18-digit NIP as written on Indonesian documents: 19700101 199503 1 001."""
        digits = self.nip.replace(" ", "")
        if len(digits) == 18 and is_ascii_digits(digits):
            return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"
        return self.nip or DOTS


def office_wilayah(user, wilayah: Wilayah | None) -> Wilayah | None:
    """The provinsi or kabupaten/kota whose dinas issues a recap of ``wilayah`` made by ``user``."""
    base = getattr(user, "wilayah", None) or wilayah
    if base is None:
        return None
    if base.level <= Wilayah.KABUPATEN:
        return base
    return base.kabupaten if base.kabupaten_id else base.parent


def _place(wilayah: Wilayah | None) -> str:
    """Kabupaten Ciamis → Ciamis, Kota Cirebon → Cirebon; a provinsi's seat is not in the data (dotted)."""
    if wilayah is None or wilayah.level != Wilayah.KABUPATEN:
        return ""
    for prefix in ("Kabupaten ", "Kota ", "Kab. "):
        if wilayah.name.startswith(prefix):
            return wilayah.name[len(prefix) :]
    return wilayah.name


def issuer_for(user, wilayah: Wilayah | None) -> Issuer:
    office = office_wilayah(user, wilayah)
    area = office.label if office else "Republik Indonesia"
    letterhead = Letterhead.objects.filter(wilayah=office).first() if office else None
    if letterhead is not None:
        logo = None
        if letterhead.logo:
            try:
                logo = Path(letterhead.logo.path)
            except NotImplementedError:  # a storage without local paths: the kop goes without the logo
                logo = None
            if logo is not None and not logo.is_file():
                logo = None
        return Issuer(
            government=letterhead.government,
            office=letterhead.office,
            address=letterhead.address,
            contact=letterhead.contact,
            logo_path=logo,
            city=letterhead.city,
            position=letterhead.head_position,
            position_area=area,
            name=letterhead.head_name,
            rank=letterhead.head_rank,
            nip=letterhead.head_nip,
            configured=True,
        )
    if office is None:
        government, office_name = "KEMENTERIAN SOSIAL REPUBLIK INDONESIA", "PORTAL PSKS"
    else:
        government = f"PEMERINTAH {office.label.upper()}"
        office_name = "DINAS SOSIAL"
    return Issuer(
        government=government,
        office=office_name,
        address="",
        contact="",
        logo_path=None,
        city=_place(office),
        position="Kepala Dinas Sosial",
        position_area=area,
        name="",
        rank="",
        nip="",
        configured=False,
    )


def long_date(day: date) -> str:
    """12 Mei 2026."""
    return f"{day.day} {periods.MONTH_NAMES[day.month - 1]} {day.year}"
