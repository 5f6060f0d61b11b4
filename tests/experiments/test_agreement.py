"""kb.agreement on hand-made definitions and measurements (no torch, no database)."""

from dataclasses import dataclass

import pytest

from kb.agreement import compute_agreement, judge, natural_key
from schema import Criterion, Definition

BEHAVIORAL = Definition(
    key="olsson2022",
    kind="behavioral",
    text="attends to the token after the earlier occurrence and copies it",
    criteria=[Criterion.parse("prefix-matching-score >= 0.5"), Criterion.parse("copying-score >= 0.5")],
)
MECHANISTIC = Definition(
    key="elhage2021",
    kind="mechanistic",
    text="K-composes with a previous-token head; OV circuit copies",
    criteria=[
        Criterion.parse("k-composition-score >= 0.1"),
        Criterion.parse("ov-copying-eigenvalue-score >= 0.5"),
    ],
)


def heads(**values):
    """{subject: (prefix, copying, kcomp, ov)} -> measurements; None leaves a method unmeasured."""
    methods = ("prefix-matching-score", "copying-score", "k-composition-score", "ov-copying-eigenvalue-score")
    out = {}
    for subject, row in values.items():
        for method, value in zip(methods, row, strict=True):
            if value is not None:
                out[(subject, method)] = value
    return out


def test_judge_is_true_when_every_criterion_is_met():
    m = heads(a=(0.9, 0.8, None, None))
    assert judge(BEHAVIORAL, "a", m) is True


def test_judge_is_false_when_one_criterion_fails_even_if_another_is_missing():
    m = heads(a=(None, None, 0.05, None))
    assert judge(MECHANISTIC, "a", m) is False


def test_judge_is_none_when_a_measurement_is_missing_and_nothing_fails():
    m = heads(a=(0.9, None, None, None))
    assert judge(BEHAVIORAL, "a", m) is None


def test_judge_treats_threshold_as_inclusive_for_ge():
    m = heads(a=(0.5, 0.5, None, None))
    assert judge(BEHAVIORAL, "a", m) is True


def test_agreement_lists_subjects_in_each_difference():
    m = heads(
        both=(0.9, 0.9, 0.3, 0.9),
        behavioral_only=(0.9, 0.9, 0.01, 0.9),
        mechanistic_only=(0.1, 0.9, 0.3, 0.9),
        neither=(0.1, 0.1, 0.0, -0.2),
    )
    pair = compute_agreement([BEHAVIORAL, MECHANISTIC], m).pairs[0]
    assert (pair.first, pair.second) == ("elhage2021", "olsson2022")
    assert pair.only_first == ("mechanistic_only",)
    assert pair.only_second == ("behavioral_only",)


def test_agreement_counts_intersection_union_and_jaccard():
    m = heads(
        both=(0.9, 0.9, 0.3, 0.9),
        behavioral_only=(0.9, 0.9, 0.01, 0.9),
        mechanistic_only=(0.1, 0.9, 0.3, 0.9),
        neither=(0.1, 0.1, 0.0, -0.2),
    )
    pair = compute_agreement([BEHAVIORAL, MECHANISTIC], m).pairs[0]
    assert (pair.judged, pair.first_count, pair.second_count) == (4, 2, 2)
    assert pair.intersection == ("both",)
    assert set(pair.union) == {"both", "behavioral_only", "mechanistic_only"}
    assert pair.jaccard == pytest.approx(1 / 3)


def test_agreement_leaves_out_subjects_judged_under_fewer_than_two_definitions():
    m = heads(layer0=(0.9, 0.9, None, 0.9), layer1=(0.9, 0.9, 0.2, 0.9))
    agreement = compute_agreement([BEHAVIORAL, MECHANISTIC], m)
    assert [row.subject for row in agreement.subjects] == ["layer1"]


def test_agreement_keeps_a_subject_whose_missing_measurement_cannot_save_it():
    m = heads(layer0=(0.9, 0.9, None, -0.4))
    row = compute_agreement([BEHAVIORAL, MECHANISTIC], m).subjects[0]
    assert row.verdicts == {"elhage2021": False, "olsson2022": True}


def test_agreement_jaccard_is_none_when_no_subject_satisfies_either():
    m = heads(a=(0.1, 0.1, 0.0, 0.0))
    assert compute_agreement([BEHAVIORAL, MECHANISTIC], m).pairs[0].jaccard is None


def test_agreement_ignores_definitions_without_criteria():
    plain = Definition(key="prose", kind="behavioral", text="no criteria")
    agreement = compute_agreement([plain, BEHAVIORAL, MECHANISTIC], heads(a=(0.9, 0.9, 0.2, 0.9)))
    assert agreement.definitions == ("elhage2021", "olsson2022")


def test_agreement_orders_subjects_naturally_whatever_the_input_order():
    m = heads(**{"m/L1H10": (1, 1, 1, 1), "m/L1H2": (1, 1, 1, 1), "m/L0H9": (0, 0, 0, 0)})
    reordered = dict(reversed(list(m.items())))
    expected = ["m/L0H9", "m/L1H2", "m/L1H10"]
    assert [r.subject for r in compute_agreement([MECHANISTIC, BEHAVIORAL], m).subjects] == expected
    assert [r.subject for r in compute_agreement([BEHAVIORAL, MECHANISTIC], reordered).subjects] == expected


def test_agreement_accepts_plain_objects_with_string_operators():
    @dataclass
    class C:
        method: str
        op: str
        threshold: float | None

    @dataclass
    class D:
        key: str
        criteria: list

    defs = [D("a", [C("x", ">=", 1.0)]), D("b", [C("y", "<", 0.0)])]
    agreement = compute_agreement(defs, {("s", "x"): 2.0, ("s", "y"): 1.0})
    assert agreement.subjects[0].verdicts == {"a": True, "b": False}


def test_agreement_rejects_duplicate_definition_keys():
    with pytest.raises(ValueError, match="unique"):
        compute_agreement([BEHAVIORAL, BEHAVIORAL], {})


def test_agreement_to_json_is_plain_data():
    import json

    m = heads(a=(0.9, 0.9, 0.3, 0.9))
    data = compute_agreement([BEHAVIORAL, MECHANISTIC], m, concept="induction-head").to_json()
    assert json.loads(json.dumps(data)) == data
    assert data["counts"] == {"elhage2021": 1, "olsson2022": 1}
    assert data["pairs"][0]["jaccard"] == 1.0


def test_natural_key_orders_digit_runs_by_value():
    assert sorted(["L1H10", "L1H2", "L0H1"], key=natural_key) == ["L0H1", "L1H2", "L1H10"]


def test_judge_fails_when_any_of_several_runs_fails():
    m = {("a", "prefix-matching-score"): [0.9, 0.3], ("a", "copying-score"): 0.9}
    assert judge(BEHAVIORAL, "a", m) is False


def test_judge_passes_when_every_one_of_several_runs_passes():
    m = {("a", "prefix-matching-score"): (0.9, 0.6), ("a", "copying-score"): [0.9]}
    assert judge(BEHAVIORAL, "a", m) is True


def test_judge_ignores_runs_without_a_value_beside_runs_with_one():
    m = {("a", "prefix-matching-score"): [None, 0.9], ("a", "copying-score"): 0.9}
    assert judge(BEHAVIORAL, "a", m) is True


def test_agreement_orders_subjects_with_equal_natural_keys_by_their_text():
    """`h1`, `h01` and `h001` have the same natural key; the order must not depend on the hash seed."""
    import os
    import subprocess
    import sys

    code = (
        "from kb.agreement import compute_agreement\n"
        "from schema import Criterion, Definition\n"
        "a = Definition(key='a', kind='behavioral', text='a', criteria=[Criterion.parse('x >= 0.5')])\n"
        "b = Definition(key='b', kind='mechanistic', text='b', criteria=[Criterion.parse('y >= 0.5')])\n"
        "m = {(s, k): 1.0 for s in ['h01', 'h1', 'h001', 'h2'] for k in 'xy'}\n"
        "print(' '.join(r.subject for r in compute_agreement([a, b], m).subjects))\n"
    )
    orders = {
        subprocess.run(
            [sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        for seed in range(6)
    }
    assert orders == {"h001 h01 h1 h2"}


def test_agreement_lists_the_subjects_that_satisfy_neither_definition():
    m = heads(
        both=(0.9, 0.9, 0.3, 0.9),
        behavioral_only=(0.9, 0.9, 0.01, 0.9),
        neither=(0.1, 0.1, 0.0, -0.2),
        half_judged=(0.1, 0.1, None, None),
    )
    pair = compute_agreement([BEHAVIORAL, MECHANISTIC], m).pairs[0]
    assert pair.neither == ("neither",)
