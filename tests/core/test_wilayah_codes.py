import pytest

from psks_portal import wilayah_codes as codes


@pytest.mark.parametrize(
    ("code", "level", "kind"),
    [
        ("32", codes.PROVINSI, "provinsi"),
        ("32.07", codes.KABUPATEN, "kabupaten"),
        ("32.69", codes.KABUPATEN, "kabupaten"),
        ("32.71", codes.KABUPATEN, "kota"),
        ("32.74", codes.KABUPATEN, "kota"),
        ("32.07.01", codes.KECAMATAN, "kecamatan"),
        ("32.07.01.2001", codes.DESA, "desa"),
        ("32.74.01.1001", codes.DESA, "kelurahan"),
        ("51.03.01.3001", codes.DESA, "desa_adat"),
    ],
)
def test_it_reads_level_and_kind_from_the_code(code, level, kind):
    parsed = codes.parse(code)
    assert (parsed.level, parsed.kind) == (level, kind)


def test_it_gives_every_ancestor():
    parsed = codes.parse("32.07.01.2001")
    assert parsed.ancestors() == ["32", "32.07", "32.07.01", "32.07.01.2001"]
    assert (parsed.provinsi, parsed.kabupaten, parsed.kecamatan, parsed.parent) == (
        "32",
        "32.07",
        "32.07.01",
        "32.07.01",
    )
    assert codes.parse("32").parent is None


@pytest.mark.parametrize("bad", ["", "3", "320", "32.7", "32.07.1", "32.07.01.4001", "32.07.01.200", "ab.cd", "32.00"])
def test_it_refuses_malformed_codes_with_an_indonesian_message(bad):
    with pytest.raises(codes.InvalidWilayahCode, match="Kode"):
        codes.parse(bad)
    assert not codes.is_valid(bad)


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("3207012001", "32.07.01.2001"),
        ("320701", "32.07.01"),
        ("3207", "32.07"),
        (" 32.07 ", "32.07"),
        ("12345", "12345"),
    ],
)
def test_it_normalises_digit_only_codes(typed, normalised):
    assert codes.normalise_digits(typed) == normalised
