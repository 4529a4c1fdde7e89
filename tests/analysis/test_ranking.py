"""The ranking arithmetic against a hand-computed example."""

import math

import numpy as np
import pytest

from samtrygg.analysis import ranking

nan = math.nan


def test_hand_computed_example():
    # a: 10, 20, 30 → ranks 1, 2, 3 of 3 → scores 0, 50, 100.
    # b: 5, –, 5 → a tie among 2 → average rank 1.5 → score 50 each; area 1 has no value.
    # c: no area has a value → ignored with its weight.
    # weights a=2, b=1, c=5:
    #   area 0: (2·0 + 1·50) / 3 = 16.667   area 1: 2·50 / 2 = 50   area 2: (2·100 + 1·50) / 3 = 83.333
    r = ranking.combine({"a": [10, 20, 30], "b": [5, nan, 5], "c": [nan, nan, nan]}, {"a": 2, "b": 1, "c": 5})
    np.testing.assert_allclose(r.components[0].scores, [0, 50, 100])
    np.testing.assert_allclose(r.components[1].scores, [50, nan, 50])
    assert r.components[2].available is False and r.components[2].n == 0
    np.testing.assert_allclose(r.composite, [50 / 3, 50, 250 / 3])
    np.testing.assert_allclose(r.weight_total, [3, 2, 3])
    assert r.rank.tolist() == [3, 2, 1]
    assert r.order == [2, 1, 0]
    # The contributions add up to the composite.
    np.testing.assert_allclose(r.contributions.sum(axis=1), r.composite)
    np.testing.assert_allclose(r.contributions[0], [0, 50 / 3, 0])
    ex = r.explain(1)
    assert ex["rank"] == 2 and ex["of"] == 3 and ex["composite"] == pytest.approx(50)
    a, b, c = ex["components"]
    assert (a["value"], a["score"], a["rank"], a["of"], a["used"]) == (20, 50, 2, 3, True)
    assert (b["value"], b["score"], b["rank"], b["used"]) == (None, None, None, False)
    assert c["used"] is False and c["contribution"] == 0
    assert r.components[1].ranks[0] == 1 and r.components[1].ranks[2] == 1  # ties share the best rank


def test_percentiles_and_competition_ranks():
    np.testing.assert_allclose(ranking.percentile_scores([3, 1, 2, 2, 5]), [75, 0, 37.5, 37.5, 100])
    assert ranking.percentile_scores([7.0]).tolist() == [50.0]
    assert ranking.descending_ranks([5, 9, 9, 1, nan])[:4].tolist() == [3, 1, 1, 4]
    assert math.isnan(ranking.descending_ranks([5, nan])[1])


def test_composite_ties_share_the_rank_and_unranked_areas_come_last():
    r = ranking.combine({"a": [1, 3, 3, nan, 0]}, {"a": 1})
    assert r.rank[:3].tolist() == [3, 1, 1]
    assert math.isnan(r.rank[3]) and math.isnan(r.composite[3])
    assert r.order == [1, 2, 0, 4, 3]


def test_a_zero_weight_leaves_the_component_out():
    r = ranking.combine({"a": [1, 2], "b": [2, 1]}, {"a": 0, "b": 1})
    assert r.rank.tolist() == [1, 2]
    assert not r.used[:, 0].any()


def test_ratio_and_rate():
    np.testing.assert_allclose(ranking.ratio([4, 3, 2], [2, 0, nan]), [2, nan, nan])
    np.testing.assert_allclose(ranking.per_thousand([10, 5, 1], [2000, nan, 0]), [5, nan, nan])


@pytest.mark.parametrize(("weights", "errors"), [
    ({"a": -1, "b": 1}, {"a": "negative"}),
    ({"a": "x", "b": 1}, {"a": "not a number"}),
    ({"a": "inf", "b": 1}, {"a": "not a number"}),
    ({"a": 101, "b": 1}, {"a": "larger than 100"}),
    ({"a": 0, "b": 0}, {"": "all zero"}),
    ({"a": 0, "b": 0, "c": 3}, {"": "all zero"}),  # c has no data: its weight does not count
])
def test_bad_weights(weights, errors):
    weights = {"c": 0, **weights}
    with pytest.raises(ranking.WeightError) as exc:
        ranking.check_weights(weights, ["a", "b", "c"], available=["a", "b"])
    assert exc.value.errors == errors


def test_good_weights():
    assert ranking.check_weights({"a": "0.5", "b": 0}, ["a", "b"], available=["a", "b"]) == {"a": 0.5, "b": 0}
