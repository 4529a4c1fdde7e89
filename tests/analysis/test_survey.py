from samtrygg.analysis import survey


def test_multiple_choice_percentages_are_per_option_not_per_combination():
    # 4 respondents: {a,b}, {a}, {b,c}, {a,b}. Per option: a 3/4, b 3/4, c 1/4 (shares do not add to 100).
    dist = survey.multiple_choice([["a", "b"], ["a"], ["b", "c"], ["b", "a"]], ["a", "b", "c", "d"])
    assert dist.respondents == 4
    got = {o.value: (o.count, o.pct) for o in dist.options}
    assert got == {"a": (3, 75.0), "b": (3, 75.0), "c": (1, 25.0), "d": (0, 0.0)}
    # No group for the combination "a+b" exists.
    assert [o.value for o in dist.options] == ["a", "b", "c", "d"]
    assert sum(o.pct for o in dist.options) == 175.0


def test_multiple_choice_counts_a_respondent_once_per_option_and_keeps_empty_answers():
    dist = survey.multiple_choice([["a", "a"], [], None], ["a", "b"])
    assert dist.respondents == 2  # None = did not answer; [] = answered, ticked nothing
    assert {o.value: o.count for o in dist.options} == {"a": 1, "b": 0}
    assert dist.options[0].pct == 50.0


def test_single_choice_distribution_adds_up_and_keeps_unknown_values():
    dist = survey.single_choice(["ja", "nej", "ja", "old"], ["ja", "nej"])
    assert [(o.value, o.count, o.pct) for o in dist.options] == [
        ("ja", 2, 50.0), ("nej", 1, 25.0), ("old", 1, 25.0)]


def test_likert_distribution_mean_and_safe_share():
    dist = survey.likert([1, 5, 4, "3", 9, None, "x"])
    assert dist.respondents == 4
    assert dist.mean == 3.25
    assert [o.count for o in dist.options] == [1, 0, 1, 1, 1]
    assert survey.share_safe([1, 5, 4, 3]) == (2, 4)


def test_suppression_under_five():
    assert survey.suppress(4) is None
    assert survey.suppress(5) == 5
    small = survey.suppressed_distribution(survey.single_choice(["a"] * 4, ["a"]))
    assert small == {"respondents": None, "suppressed": True, "options": [], "mean": None}
    mixed = survey.suppressed_distribution(survey.single_choice(["a"] * 6 + ["b"] * 2, ["a", "b"]))
    assert mixed["respondents"] == 8
    assert mixed["options"][0]["count"] == 6 and mixed["options"][0]["pct"] == 75.0
    assert mixed["options"][1] == {"value": "b", "count": None, "pct": None, "suppressed": True}


def test_in_tenths():
    assert survey.in_tenths(7, 10) == 7
    assert survey.in_tenths(2, 3) == 7
    assert survey.in_tenths(0, 0) == 0


def test_group_texts_by_normalised_text():
    groups = survey.group_texts([(1, "Mörkt i parken!"), (2, "mörkt i  parken"), (3, "Bra"), (4, "  ")])
    assert groups[0]["count"] == 2 and groups[0]["ids"] == [1, 2] and groups[0]["text"] == "Mörkt i parken!"
    assert groups[1]["key"] == "bra"
    assert len(groups) == 2


def test_compare_labels_rows():
    rows = survey.compare({"A": survey.likert([5, 5]), "B": survey.likert([1])})
    assert [(r["label"], r["respondents"], r["mean"]) for r in rows] == [("A", 2, 5.0), ("B", 1, 1.0)]
