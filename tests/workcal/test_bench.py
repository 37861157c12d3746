"""The benchmark script runs and both implementations agree."""
import pytest

pytestmark = pytest.mark.django_db


def test_bench_calendar_runs_and_agrees_with_the_naive_loop():
    from bench.bench_calendar import run

    lines = []
    result = run(iterations=300, seed=7, out=lines.append, repeat=1)
    assert result["mismatches"] == 0
    assert result["naive_per_s"] > 0 and result["calendar_per_s"] > 0 and result["pinned_per_s"] > 0
    assert any("naive" in line for line in lines)
