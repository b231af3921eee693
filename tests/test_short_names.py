"""Short names the logs spell out ("te1/0/12" for `TenGigabitEthernet1/0/12`): `workflows/short_names.py`.
Small real LanceDB, the real model."""

from __future__ import annotations

from test_retrieve_rules import NOW, SESSION, _ask, _rows, _store

from sre_agent.workflows.refine import RuleRefiner
from sre_agent.workflows.short_names import spell_out

FLAPS = [(m, "%LINK-3-UPDOWN: Interface TenGigabitEthernet1/0/12, changed state to down") for m in (5, 9, 14)]
OTHERS = [
    (1, "%LINK-3-UPDOWN: Interface TenGigabitEthernet1/0/1, changed state to up"),
    (2, "%LINK-3-UPDOWN: Interface GigabitEthernet0/12, changed state to up"),
    (3, "%SYS-5-CONFIG_I: Configured from console by admin on vty0"),
    *[
        (20 + m, f"%SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: oxidized] at 00:{m:02d}")
        for m in range(7)
    ],
]


def test_a_short_interface_name_is_read_as_the_name_the_device_logs(tmp_path, embedder) -> None:
    store = _store(tmp_path, embedder, _rows(*FLAPS, *OTHERS))
    plan = RuleRefiner().refine("te1/0/12 keeps going down, how many times?", now=NOW)
    assert plan.terms == ["te1/0/12"]
    notes = spell_out(store, SESSION, None, plan)
    assert plan.terms == ["te1/0/12", "TenGigabitEthernet1/0/12"]
    assert notes == ["'te1/0/12' also read as 'TenGigabitEthernet1/0/12', the name the stored lines use"]
    found, _ = _ask(store, "te1/0/12 keeps going down, how many times?", k=1)
    assert found == ["%LINK-3-UPDOWN: Interface TenGigabitEthernet1/0/12, changed state to down"]


def test_a_short_name_stays_when_no_or_several_stored_names_fit(tmp_path, embedder) -> None:
    rows = [*OTHERS, (30, "Interface TenGigabitEthernet1/0/12 down"), (31, "Interface Te-Port1/0/12 down")]
    store = _store(tmp_path, embedder, _rows(*rows))
    for question in ("te1/0/12 down?", "gi0/7 down?", "fa0/12 down?", "core-1 down?"):
        plan = RuleRefiner().refine(question, now=NOW)
        before = list(plan.terms)
        assert spell_out(store, SESSION, None, plan) == []
        assert plan.terms == before
    # letters of the short form must begin the name: "gi0/12" is GigabitEthernet0/12, not the
    # TenGigabitEthernet ports; numbers must end it whole ("1/0/1" is not "1/0/12")
    plan = RuleRefiner().refine("gi0/12 up?", now=NOW)
    spell_out(store, SESSION, None, plan)
    assert plan.terms[-1] == "GigabitEthernet0/12"
    plan = RuleRefiner().refine("te1/0/1 up?", now=NOW)
    spell_out(store, SESSION, None, plan)
    assert plan.terms[-1] == "TenGigabitEthernet1/0/1"


def test_the_long_name_is_looked_for_where_the_number_is_and_in_the_tables_searched(
    tmp_path, embedder
) -> None:
    # past the first lines read (`LOOKED_AT`): the search goes to the lines holding the number; the
    # short form itself (`Te1/0/12`, as long as the question's) is not a name of its own
    noise = [
        (m / 10, f"%SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: oxidized] at 00:{m % 60:02d}")
        for m in range(60)
    ]
    late = [(30, "%HA_EM-6-LOG: crc_watch: Te1/0/12 input CRC errors increased"), (31, FLAPS[0][1])]
    store = _store(tmp_path, embedder, _rows(*noise, *late))
    plan = RuleRefiner().refine("te1/0/12 down?", now=NOW)
    assert spell_out(store, SESSION, None, plan) and plan.terms[-1] == "TenGigabitEthernet1/0/12"
    # only the tables searched: another table's name for the same port is not read
    from sre_agent.clean import clean_records

    store.ingest(SESSION, "other", clean_records(_rows((40, "Interface TeGig1/0/12 down")), None).records)
    tables = [t for t in store.list_tables(SESSION) if t != "other"]
    plan = RuleRefiner().refine("te1/0/12 down?", now=NOW)
    spell_out(store, SESSION, tables, plan)
    assert plan.terms == ["te1/0/12", "TenGigabitEthernet1/0/12"]
    plan = RuleRefiner().refine("te1/0/12 down?", now=NOW)
    assert spell_out(store, SESSION, None, plan) == []  # two names fit across both tables
