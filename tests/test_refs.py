"""Reference look-ups: code, English name, Chinese name, a unique prefix, then a unique part
of a Chinese name; an ambiguous part is refused naming the candidates."""

from __future__ import annotations

import json

import pytest

from tests.conftest import days_ago
from tongwei_cli.core.errors import InvalidValue
from tongwei_cli.domain import reference as refdata


@pytest.fixture
def refs() -> refdata.Refs:
    return refdata.Refs({k.name: refdata.read_csv(k) for k in refdata.KINDS.values()})


@pytest.mark.parametrize(("value", "code"), [
    ("students", "students"), ("Students", "students"), ("在校学生", "students"),
    ("在校", "students"),  # a prefix
    ("学生", "students"), ("独居", "elderly"), ("财务", "finance-staff"),  # a part
    (" 学生 ", "students"),
])
def test_audiences_resolve(refs, value, code):
    assert refs.resolve("audiences", value, "audience") == code
    assert refs.resolve("audiences", value, "audience") == code  # and again, remembered


@pytest.mark.parametrize(("value", "candidates"), [
    ("人员", "finance-staff 企业财务人员, card-industry 银行及通信从业人员"),
    ("群", "elderly 老年人及独居群体, villagers 农村群众"),
])
def test_an_ambiguous_part_names_the_candidates(refs, value, candidates):
    for _ in range(2):  # the refusal is remembered as it was given
        with pytest.raises(InvalidValue) as info:
            refs.resolve("audiences", value, "--audience")
        assert info.value.field == "--audience"
        assert info.value.reason == f"{value!r} matches more than one audience: {candidates}"


def test_a_prefix_wins_over_a_part(refs):
    # 襄 starts 襄南派出所 and is inside 平襄派出所; 网 starts 网络平台, is inside 银行网点
    assert refs.resolve("stations", "襄", "station") == "xiangnan"
    assert refs.resolve("venues", "网", "venue-kind") == "online"


def test_unknown_is_still_unknown(refs):
    with pytest.raises(InvalidValue, match="unknown audience '外星人'; valid: students 在校学生"):
        refs.resolve("audiences", "外星人", "--audience")


def test_the_same_text_on_another_field_is_refused_on_that_field(refs):
    for field in ("level", "--level"):
        with pytest.raises(InvalidValue) as info:
            refs.resolve("levels", "无此等级", field)
        assert info.value.field == field


@pytest.mark.slow
def test_outreach_add_takes_part_of_an_audience_name(sh):
    added = sh("outreach", "add", "--date", days_ago(1), "--station", "平襄", "--audience", "学生",
               "--form", "手拉手", "--venue", "通渭县第一中学", "--attendees", "40",
               "--materials", "50", "--format", "json")
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["audience"] == "students"
    refused = sh("outreach", "add", "--date", days_ago(1), "--station", "平襄", "--audience",
                 "人员", "--form", "手拉手", "--venue", "通渭县第一中学", "--attendees", "40",
                 "--materials", "50")
    assert refused.returncode == 1
    assert "matches more than one audience" in refused.stderr
    assert "企业财务人员" in refused.stderr and "银行及通信从业人员" in refused.stderr
