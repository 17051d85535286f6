"""The free-tier tables: every number cites a dated source, tokens are exact, mistakes are refused."""

from pathlib import Path

import pytest

from stagecraft_guard.catalog import CatalogError, LIMITS_DIR, load_catalog

REQUIRED_PLATFORMS = {"cloudflare", "koyeb", "neon", "upstash", "netlify", "render", "supabase", "vercel", "railway"}


def _entries(catalog):
    return [*catalog.plans, *catalog.limits, *catalog.quotas, *catalog.meters, *catalog.prices]


def test_every_required_platform_has_a_table(catalog):
    assert REQUIRED_PLATFORMS <= {p.id for p in catalog.platforms}


def test_every_number_cites_a_source_with_a_date(catalog):
    undated = [e for e in _entries(catalog) if not (e.source.title and e.source.as_of and e.source.via)]
    assert undated == []


def test_unconfirmed_numbers_are_flagged_in_their_citation(catalog):
    netlify_credits = catalog.meter("netlify.credits-per-month")
    assert netlify_credits.cite().endswith("UNCONFIRMED")


def test_confirmed_numbers_are_not_flagged(catalog):
    assert "UNCONFIRMED" not in catalog.quota("koyeb.free-instances").cite()


def test_every_price_is_marked_unconfirmed_because_no_price_was_read_from_a_source(catalog):
    assert all(not p.confirmed for p in catalog.prices)


def test_koyeb_allows_one_free_instance(catalog):
    assert catalog.quota("koyeb.free-instances").limit == 1


def test_neon_allows_ten_branches_per_project(catalog):
    quota = catalog.quota("neon.branches-per-project")
    assert (quota.limit, quota.group_by, quota.already_used) == (10, "project_id", 1)


def test_upstash_allows_one_free_database(catalog):
    assert catalog.quota("upstash.free-databases").limit == 1


def test_neon_project_is_governed_under_both_spellings_of_its_token(catalog):
    assert {"neon:index/project:Project", "neon:resource:Project"} <= set(catalog.quota("neon.projects").types)


def test_platform_is_found_by_exact_token_prefix(catalog):
    assert catalog.platform_of("pulumi-python:dynamic/koyeb:Service").id == "koyeb"


def test_unrelated_token_has_no_platform(catalog):
    assert catalog.platform_of("random:index/randomPassword:RandomPassword") is None


def _copy_tables(tmp_path: Path) -> Path:
    for source in LIMITS_DIR.glob("*.toml"):
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def test_entry_citing_an_undefined_source_is_refused(tmp_path):
    directory = _copy_tables(tmp_path)
    path = directory / "koyeb.toml"
    path.write_text(path.read_text().replace('source = "koyeb-docs"', 'source = "nowhere"', 1))
    with pytest.raises(CatalogError, match="source 'nowhere' is not defined"):
        load_catalog(directory)


def test_entry_without_confirmed_flag_is_refused(tmp_path):
    directory = _copy_tables(tmp_path)
    path = directory / "upstash.toml"
    path.write_text(path.read_text().replace("confirmed = true\n", "", 1))
    with pytest.raises(CatalogError, match="missing key"):
        load_catalog(directory)


def test_entry_for_a_type_not_in_known_types_is_refused(tmp_path):
    directory = _copy_tables(tmp_path)
    path = directory / "render.toml"
    path.write_text(path.read_text().replace('type = "pulumi-python:dynamic/render:Service"\nfield = "plan"\nfree',
                                             'type = "pulumi-python:dynamic/render:Other"\nfield = "plan"\nfree', 1))
    with pytest.raises(CatalogError, match="not listed in known_types"):
        load_catalog(directory)
