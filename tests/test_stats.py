"""Statistics the board sees, from the sample at the seed deck's date and from small roadmaps."""

import datetime as dt

import pytest

from digireport.model import Status
from digireport.stats import Change, StatusChange, StatusSpan, compute_stats, indicator_progress, light, period
from tests.conftest import make_workbook


def test_period():
    p = period([2024, 2025, 2026], dt.date(2025, 12, 2))
    assert (p.followup, p.next_year) == ((2024, 2025), 2026)
    p = period([2024, 2025, 2026], dt.date(2026, 11, 23))
    assert (p.followup, p.next_year) == ((2024, 2025, 2026), None)


def test_sample_stats(sample_stats):
    s = sample_stats
    assert s.followup_years == (2024, 2025) and s.next_year == 2026
    assert s.status_span == StatusSpan(years=(2024, 2025), total=52, counts={
        "started": 21, "done": 18, "unknown": 6, "planned": 5, "dropped": 2})
    assert list(s.status_span.counts) == ["started", "done", "unknown", "planned", "dropped"]
    assert s.goal_by_year[2024] == {"A": 8, "B": 2, "C": 8, "K": 8}
    assert s.year_counts == {2024: 26, 2025: 26, 2026: 28}
    assert sum(s.goal_by_year[2026].values()) == 28
    assert sum(s.level_by_year[2026].values()) == 28
    grid = s.impact_cost_by_year[2026]
    assert sum(sum(row.values()) for row in grid.impact_by_cost.values()) + grid.unclassified == 28
    assert s.completed.count == 18
    assert s.completed.one_off_eur + s.completed.yearly_eur == 374500
    assert s.status_changes.label == "10/2024"
    change = next(c for c in s.status_changes.changes if c.id == "A4")
    assert change == StatusChange(id="A4", row=change.row, before=Status.UNKNOWN, after=Status.STARTED)
    owners = s.owner_by_year[2026]
    assert list(owners)[0] == max(owners, key=owners.get)


def test_indicator_progress_on_sample(sample_roadmap, sample_stats):
    by_name = {i.name.fi: p for i, p in zip(sample_roadmap.indicators, sample_stats.indicators, strict=True)}
    sat = by_name["ePorvoon asiakastyytyväisyys asteikolla 1-4"]
    assert sat.ratio == pytest.approx((2.37 - 1) / (3 - 1), abs=1e-4) and sat.light == "amber"
    requests = by_name["ePorvoon muut palvelupyynnöt"]
    assert requests.ratio == pytest.approx(3884 / 2500, abs=1e-4) and requests.light == "green"
    growth = by_name["ePorvoon asiointimäärä (Porvoon suomi.fi -tunnistautuneet)"]
    assert growth.by_year[2025].growth == pytest.approx(88269 / 97495 - 1, abs=1e-4)
    assert growth.light == "red"
    assert by_name["AD-seuranta"].ratio is None and by_name["AD-seuranta"].light is None
    # a percent target is not compared with a count of workstations
    assert by_name["Viimeisen kolmen kuukauden aikana käytössä olleet laitteet"].ratio is None
    assert by_name["Prosessien määrä, joita automatisoitu"].ratio == pytest.approx(0.8)


def test_light_thresholds():
    assert [light(x) for x in (None, 0.2, 0.5, 0.99, 1.0, 1.7)] == [None, "red", "amber", "amber", "green", "green"]


def test_unknown_fields_are_counted_not_dropped():
    from digireport.roadmap import parse_roadmap

    data = make_workbook({"T": [
        ["Tavoite", "Tunnus", "Toimenpiteen nimi", "2025", "Tila", "Taso"],
        ["A", "A1", "Yksi", "x", "Tehty", "Digitaalinen perusta"],
        ["A", "A2", "Kaksi", "x", "???", "Outo taso"],
    ]})
    s = compute_stats(parse_roadmap(data, "t.xlsx"), dt.date(2025, 6, 1))
    assert s.status_by_year[2025]["unknown"] == 1
    assert s.level_by_year[2025]["unknown"] == 1 and s.level_by_year[2025]["foundation"] == 1


def test_indicator_progress_needs_consecutive_years():
    from digireport.model import Indicator, Measure, Target, TargetKind, Text

    ind = Indicator(row=2, goal=None, name=Text("x"), target=Target("10 %/v", TargetKind.RELATIVE, 10.0),
                    values=((2023, Measure("100", 100.0)), (2025, Measure("130", 130.0))))
    assert indicator_progress(ind).ratio is None


def test_counts_follow_every_year_and_beneficiary_of_a_project():
    """A project on two years counts in both; one with two beneficiary groups counts in each group."""
    from digireport.roadmap import parse_roadmap

    data = make_workbook({"T": [
        ["Tavoite", "Tunnus", "Toimenpiteen nimi", "2024", "2025", "Tila", "Kuka hyötyy", "Vastuutaho",
         "Kustannus (S/M/L)", "Vaikuttavuus (S/M/L)"],
        ["A", "A1", "Yksi", "x", "x", "Tehty", "Asukkaat, Henkilöstö", "IT", "S", "L"],
        ["B", "B1", "Kaksi", "", "x", "Aloitettu", "Asukkaat", "IT", "M", ""],
        ["B", "B2", "Kolme", "", "x", "Tehty", "", "Talous", "L", "L"],
    ]})
    s = compute_stats(parse_roadmap(data, "t.xlsx"), dt.date(2025, 6, 1))
    assert s.year_counts == {2024: 1, 2025: 3}
    assert s.status_by_year[2025] == {"started": 1, "done": 2, "unknown": 0, "planned": 0, "dropped": 0}
    assert s.status_span.total == 3 and s.status_span.counts["done"] == 2
    assert s.goal_by_year[2024] == {"A": 1, "B": 0, "C": 0, "K": 0}
    bene = s.beneficiaries_by_year[2025]
    assert (bene["residents"], bene["staff"], bene["unknown"], bene["companies"]) == (2, 1, 1, 0)
    assert s.owner_by_year[2025] == {"IT": 2, "Talous": 1}
    grid = s.impact_cost_by_year[2025]
    assert grid.impact_by_cost["L"] == {"S": 1, "M": 0, "L": 1} and grid.unclassified == 1
    assert s.completed.count == 2 and s.completed.ids == ("A1", "B2")


def test_progress_is_of_the_latest_written_year_in_the_targets_unit(sample_roadmap):
    from digireport.stats import indicator_progress

    by_row = {i.row: indicator_progress(i) for i in sample_roadmap.indicators}
    # 2025 says "Ei toteutettu 2025": no progress, not 2024's 39 %
    assert by_row[10].year == 2025 and by_row[10].ratio is None and by_row[10].missing == "text"
    assert by_row[10].by_year[2024].ratio == 0.3909
    # "6264 (työasemat)" against "Kaikki = 100 %": a count, not a percentage
    assert by_row[13].comparable == {2024: False, 2025: False} and by_row[13].missing == "other_unit"
    # "8400 e säästö …" is a saving, not the cost the qualitative target is about
    assert by_row[17].ratio is None and by_row[17].comparable[2025] is False
    # the 1-4 scale is measured from its low end
    assert by_row[2].method == "scale" and by_row[2].ratio == 0.685
    # a percent indicator changes in percentage points; the approximate 2024 value marks the change
    assert by_row[9].change == Change(start=2024, end=2025, value=0.0, unit="points", approx=False)
    assert by_row[15].change.approx is True and by_row[15].approx is False
