"""Questions about what changed put the stored lines that speak of a change first, ranked by the
question: "did anything change on the card-charging side before this?" (incidents-e). Small real
LanceDB, the real model (`workflows/changes.py`)."""

from __future__ import annotations

import pytest
from test_retrieve_rules import SESSION, _ask, _rows, _store

from sre_agent.indexes import SearchFilters
from sre_agent.timeline import change_said, speaks_of_change
from sre_agent.workflows.changes import asks_about_changes
from sre_agent.workflows.restarts import return_ids


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("did anything change on the card-charging side right before this kicked off?", True),
        ("what changed before the errors?", True),
        ("any deploys before 14:00?", True),
        ("was anything rolled out today?", True),
        ("did someone deploy payments?", True),
        ("any config changes on the gateway?", True),
        ("did IT push anything to this laptop right before it started?", True),
        ("did ops install something on the db hosts last night?", True),
        ("was anything patched on web02 this week?", True),
        ("what changed right before that? did somebody redeploy one of them", True),
        ("did anyone re-deploy the api?", True),
        ("did the request push through in the end?", False),
        ("what went wrong between 14:00 and 14:10?", False),
        ("the pool size changed to 5, why?", False),
        ("how many connections could the new build hold?", False),
    ],
)
def test_which_questions_ask_what_changed(question: str, asks: bool) -> None:
    assert asks_about_changes(question) is asks


def test_the_change_lines_come_first_ranked_by_the_question(tmp_path, embedder) -> None:
    routine = [
        (m, f"charge authorized: provider=adyen amount={m}00 EUR", {"host": "pay-1"}) for m in range(30)
    ]
    watcher = [
        (30 + m, "config watcher: checked /etc/payments/pool.yaml", {"host": "pay-1"}) for m in range(5)
    ]
    store = _store(
        tmp_path,
        embedder,
        _rows(
            *routine,
            *watcher,
            (40, "configmap payments-pool unchanged", {"host": "pay-1"}),
            (41, "rollout payments started: image payments:3.7.4 -> 3.8.0", {"host": "ctl-1"}),
            (42, "inventory cache config reloaded: ttl 300s -> 60s", {"host": "inv-1"}),
            (43, "charge failed: timeout acquiring db connection", {"host": "pay-1", "level": "ERROR"}),
            *[(44 + n, f"payments replica {n}/3 upgraded to 3.8.0", {"host": "ctl-1"}) for n in (1, 2, 3)],
        ),
    )
    found, _ = _ask(store, "did anything change on the payments side right before this?", k=5)
    # every change line before anything else, the payments ones first; three lines of one shape on
    # one host are still changes (a rollout's steps): more than three would be routine
    assert found[0] == "rollout payments started: image payments:3.7.4 -> 3.8.0"
    assert set(found[:5]) == {
        "rollout payments started: image payments:3.7.4 -> 3.8.0",
        "inventory cache config reloaded: ttl 300s -> 60s",
        *(f"payments replica {n}/3 upgraded to 3.8.0" for n in (1, 2, 3)),
    }
    assert found.index("inventory cache config reloaded: ttl 300s -> 60s") == 4
    # a watcher's check five times on one host is routine; "unchanged" says nothing changed
    everything, _ = _ask(store, "did anything change on the payments side right before this?", k=40)
    assert "configmap payments-pool unchanged" not in everything[:5]
    assert everything.index("config watcher: checked /etc/payments/pool.yaml") >= 5
    # the same words without asking what changed: no change tier
    plain, _ = _ask(store, "charge failed on the payments side?", k=2)
    assert plain[0] == "charge failed: timeout acquiring db connection"


def test_what_changed_for_a_named_thing_puts_that_things_lines_before_the_change_lines(
    tmp_path, embedder
) -> None:
    store = _store(
        tmp_path,
        embedder,
        _rows(
            *[(m, f"heartbeat ok from worker {m}") for m in range(20)],
            (21, "new date =20171223, type=40011,6314.0,old=6137.0"),
            (22, "step counter restarted after reboot"),
            (23, "config reloaded: sync interval 30s"),
        ),
    )
    found, _ = _ask(store, "what changed for stat type 40011?", k=3)
    assert found[0] == "new date =20171223, type=40011,6314.0,old=6137.0"
    assert set(found[1:3]) == {"step counter restarted after reboot", "config reloaded: sync interval 30s"}


@pytest.mark.parametrize(
    ("line", "is_change"),
    [
        ("Installed configuration profile: Corp Wi-Fi (EAP-TLS) (com.acmecorp.wifi.eaptls)", True),
        ("Package KB3019978 installed successfully", True),
        ("Uninstalling package openssl-1.1.1k", True),
        ("kernel patched live: CVE-2024-1086", True),
        ("1#1: signal 1 (SIGHUP) received from 48213, reconfiguring", True),  # nginx re-reads its config
        ("RequestHandler reconfigured with 4 workers", True),
        ("[2024-06-11 09:39:30 +0000] [21093] [INFO] Handling signal: hup", True),  # gunicorn reloads
        ("[2024-06-11 09:40:12,200: WARNING/MainProcess] worker: Warm shutdown (MainProcess)", True),
        ("connection shutdown by peer", False),
        ("config reloaded: no changes", False),  # says nothing changed
        ("GET /install.sh 200", False),  # a path, not an install
        ('GET /.git/config HTTP/1.1" 404 179', False),  # a scanner's path, not a config
        ("Not Found: /.git/config", False),
        ('"POST /send/ HTTP/1.1" 302 0 "Mozilla/5.0 (Macintosh) Version/17.4 Safari/605.1.15"', False),
        ("consumer.py:507: CPendingDeprecationWarning: The broker_connection_retry configuration", False),
        ("config key 'timeout' is deprecated, use 'request_timeout'", False),
        ("nginx version: nginx/1.25.3", True),
        ("-------------- celery@airflow-worker-2 v5.3.6 (emerald-rush)", True),
        ("Keycloak v24.0.1 (powered by Quarkus) started", True),
        ("GET /api/v1.2/orders 200", False),  # a path's version
        ("handshake done with TLSv1.3", False),
        ("retrying v2 endpoint", False),
        ("loaded config /etc/app/app.yaml", True),
        # an API request naming a resource or a header key, not a deploy or a version change
        ("GET /apis/apps/v1/namespaces/shop/deployments?limit=500 200", False),
        ('Trace[45]: "List" api-group:,api-version:v1,resource:secrets,verb:LIST (total time: 611ms)', False),
        ("x_api_version=3 GET /orders 200", False),
        ("Deployment shop/checkout-api rolled out", True),
        ("deployed version 4.12.0", True),
        # a deploy user's copy; Kubernetes' deployments resource in a request's path is not a deploy
        ("Invoked with src=/home/deploy/.ansible/tmp/source dest=/etc/resolv.conf", True),
        ("GET /apis/apps/v1/deployments/web 200 and x.deploy", False),
        ("request took 32ms", False),
        # a key that begins with a change word is not a change (`restart_after_timeout="true"`)
        ('type="LOGIN_ERROR", error="expired_code", restart_after_timeout="true"', False),
        ("deployment_id=7 GET /orders 200", False),
        ("restart_count=0 probe ok", False),
        ("restarting worker 3", True),
        # a start that names a release of three parts is a start banner
        ("Keycloak 24.0.5 on JVM (powered by Quarkus 3.8.4) started in 13.293s. Listening on: :8080", True),
        ("BIND 9.18.24-1-Debian starting", True),
        ("started in 13.293s", False),  # a duration's two parts
        ("starting worker 10.0.0.12", False),  # an address's four
        ("Started OrdersApplication in 4.1 seconds", False),
        ("upload 1.2.3 finished", False),  # a release without a start
    ],
)
def test_which_lines_speak_of_a_change(line: str, is_change: bool) -> None:
    assert speaks_of_change(line) is is_change


@pytest.mark.parametrize(
    ("message", "fields", "said"),
    [
        # a start whose record names its version: a deploy, though its words name none
        (
            "starting payment-gateway",
            '{"commit": "a91c3e2", "version": "2.14.0"}',
            "starting payment-gateway (version 2.14.0)",
        ),
        (
            "Started OrdersApplication in 14.2 seconds",
            '{"commit": "77be0d1"}',
            "Started OrdersApplication in 14.2 seconds (version 77be0d1)",
        ),
        ("starting payment-gateway", '{"ecs.version": "1.2.0"}', None),  # the shipper's schema, not the app's
        # a shipper's own objects name its version, not the program's (Filebeat's agent.version)
        ("Starting attempt 1 of 3", '{"agent": {"version": "8.13.4"}, "ecs": {"version": "8.0.0"}}', None),
        (
            "Starting attempt 1 of 3",
            '{"agent": {"version": "8.13.4"}, "service": {"version": "2.8.1"}}',
            "Starting attempt 1 of 3 (version 2.8.1)",
        ),
        ("starting api", '{"version": {"major": 2}}', None),  # not a version value
        ("starting api", '{"version": "2.1 (beta build)"}', None),
        ("starting api", "not json", None),
        # a banner that begins with a blank line: its first line that says something
        (
            " \n -------------- celery@w-2 v5.3.6 (emerald-rush)\n- ** [config]",
            "{}",
            " \n -------------- celery@w-2 v5.3.6 (emerald-rush)\n- ** [config]",
        ),
        ("charge succeeded", '{"version": "2.14.0"}', None),  # no start
        ("starting payment-gateway", "{}", None),  # no version
        ("worker already started", '{"version": "2"}', None),  # says nothing changed
        ("rollout payments started: 3.7.4 -> 3.8.0", "{}", "rollout payments started: 3.7.4 -> 3.8.0"),
    ],
)
def test_a_start_that_names_its_version_is_a_change(message: str, fields: str, said: str | None) -> None:
    assert change_said(message, fields) == said


def test_what_changed_finds_a_start_with_a_new_version(tmp_path, embedder) -> None:
    routine = [(m, f"charge succeeded order {m}", {"host": "pay-1"}) for m in range(20)]
    store = _store(
        tmp_path,
        embedder,
        _rows(
            *routine,
            (21, "starting payment-gateway", {"host": "pay-2", "version": "2.14.0"}),
            (
                22,
                "payment authorization failed: x509: certificate signed by unknown authority",
                {"level": "ERROR"},
            ),
        ),
    )
    found, _ = _ask(store, "what changed right before the payment errors started?", k=3)
    assert found[0] == "starting payment-gateway"


def test_what_was_rolled_out_gets_each_stop_and_the_start_that_followed_it(tmp_path, embedder) -> None:
    routine = [
        (m, f"Task sync_rates[{m}] succeeded in 0.2s", {"host": f"worker-{1 + m % 2}"}) for m in range(40)
    ]
    rows = [
        *routine,
        (10, "worker: Warm shutdown (MainProcess)", {"host": "worker-1", "level": "WARN"}),
        (10.1, "celery@worker-1 ready.", {"host": "worker-1"}),
        (12, "worker: Warm shutdown (MainProcess)", {"host": "worker-2", "level": "WARN"}),
        (12.2, "mingle: all alone", {"host": "worker-2"}),
        (12.3, "celery@worker-2 ready.", {"host": "worker-2"}),
        (12.4, "celery@worker-2 ready again.", {"host": "worker-2"}),  # the first return only
        (18, "celery@worker-1 ready to go.", {"host": "worker-1"}),  # 8 min after: not this change's
        (30, "celery@worker-3 ready.", {"host": "worker-3"}),  # no change before it on its host
        (41, "Task export failed: OutOfMemoryError", {"host": "worker-1", "level": "ERROR"}),
    ]
    store = _store(tmp_path, embedder, _rows(*sorted(rows, key=lambda row: row[0])))
    every = store.scan(SESSION)
    changed = [row.id for row in every if "Warm shutdown" in row.message]
    back = return_ids(store, SESSION, None, SearchFilters(), changed)
    by_id = {row.id: row for row in every}
    assert [(by_id[i].message, by_id[i].host) for i in back] == [
        ("celery@worker-1 ready.", "worker-1"),
        ("celery@worker-2 ready.", "worker-2"),
    ]
    assert return_ids(store, SESSION, None, SearchFilters(), []) == []
    found, _ = _ask(store, "what changed before that? was anything rolled out earlier today", k=3)
    assert sorted(found[:3]) == [
        "celery@worker-1 ready.",
        "celery@worker-2 ready.",
        "worker: Warm shutdown (MainProcess)",
    ]


def _returns(tmp_path, embedder, rows, filters=None):
    store = _store(tmp_path, embedder, _rows(*sorted(rows, key=lambda row: row[0])))
    every = store.scan(SESSION)
    changed = [row.id for row in every if "Warm shutdown" in row.message]
    by_id = {row.id: row for row in every}
    found = return_ids(store, SESSION, None, filters or SearchFilters(), changed)
    return [(by_id[i].message, by_id[i].host) for i in found]


def test_a_return_counts_after_its_change_up_to_exactly_five_minutes(tmp_path, embedder) -> None:
    rows = [
        (10, "worker: Warm shutdown", {"host": "w-1"}),
        (10, "celery@w-1 ready at once.", {"host": "w-1"}),  # the same instant: not after it
        (15, "celery@w-1 ready in five.", {"host": "w-1"}),  # exactly RETURN_WITHIN: counts
        (20, "worker: Warm shutdown", {"host": "w-2"}),
        (25.01, "celery@w-2 ready too late.", {"host": "w-2"}),
    ]
    assert _returns(tmp_path, embedder, rows) == [("celery@w-1 ready in five.", "w-1")]


def test_a_return_line_repeated_more_than_ten_times_on_its_host_is_routine(tmp_path, embedder) -> None:
    rows = [(m, "worker: Warm shutdown", {"host": h}) for m, h in ((1, "w-1"), (1, "w-2"))]
    rows += [(1 + m / 100, f"job {m} started", {"host": "w-1"}) for m in range(11)]  # 11 on w-1
    rows += [(1 + m / 100, f"job {m} started", {"host": "w-2"}) for m in range(10)]  # 10 on w-2
    assert _returns(tmp_path, embedder, rows) == [("job 1 started", "w-2")]  # job 0: the same instant


def test_returns_are_read_only_where_the_filters_let(tmp_path, embedder) -> None:
    rows = [
        (1, "worker: Warm shutdown", {"host": "w-1"}),
        (2, "celery@w-1 ready.", {"host": "w-1", "env": "staging"}),
        (3, "celery@w-1 ready again.", {"host": "w-1", "env": "prod"}),
    ]
    prod = SearchFilters(where="env IS NULL OR env = 'prod'")
    assert _returns(tmp_path, embedder, rows, prod) == [("celery@w-1 ready again.", "w-1")]


def test_a_start_banner_that_is_the_change_brings_the_stop_just_before_it(tmp_path, embedder) -> None:
    banner = "Keycloak 24.0.5 on JVM (powered by Quarkus 3.8.4) started in 13.293s"
    rows = [
        (1, "Keycloak stopped in 0.232s", {"host": "idp-1"}),  # another host's stop
        (9.5, "Keycloak stopped in 0.240s", {"host": "idp-2"}),  # over 5 minutes before: not its
        (14.9, "Keycloak stopped in 0.232s", {"host": "idp-2"}),
        (14.95, "closing the event store", {"host": "idp-2"}),  # says no stop
        (15, banner, {"host": "idp-2"}),
        (15.5, "Listening on: http://0.0.0.0:8080", {"host": "idp-2"}),
        *[(20 + m, f"type=LOGIN user {m}", {"host": "idp-2"}) for m in range(5)],
    ]
    store = _store(tmp_path, embedder, _rows(*rows))
    every = store.scan(SESSION)
    changed = [row.id for row in every if row.message == banner]
    by_id = {row.id: row for row in every}
    back = return_ids(store, SESSION, None, SearchFilters(), changed)
    assert [(by_id[i].message, by_id[i].timestamp.minute) for i in back] == [
        ("Keycloak stopped in 0.232s", 14),
        ("Listening on: http://0.0.0.0:8080", 15),
    ]
    # a change that is not a start (a config reload) brings no stop before it
    reload = [row.id for row in every if row.message.startswith("Keycloak stopped in 0.240s")]
    assert return_ids(store, SESSION, None, SearchFilters(), reload) == []
    found, _ = _ask(store, "what changed right before that? did somebody redeploy one of them", k=3)
    assert set(found[:3]) == {banner, "Keycloak stopped in 0.232s", "Listening on: http://0.0.0.0:8080"}
