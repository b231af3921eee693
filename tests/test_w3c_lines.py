"""W3C extended logs (IIS, CloudFront) and tables with a date and a time column, read from real
files through the file logstore; a 5xx is an ERROR once cleaned, as for any access log."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sre_agent.clean import clean_records
from sre_agent.connectors.file import FileLogstore
from sre_agent.connectors.inputs import check_text
from sre_agent.models import LogQuery

IIS = """#Software: Microsoft Internet Information Services 10.0
#Version: 1.0
#Date: 2024-06-18 10:58:00
#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port c-ip cs(User-Agent) sc-status time-taken
2024-06-18 10:58:01 10.0.2.11 POST /api/orders - 443 203.0.113.9 Mozilla/5.0+(Windows+NT+10.0) 201 48
2024-06-18 10:58:03 10.0.2.11 POST /api/orders - 443 203.0.113.17 Mozilla/5.0+(Windows+NT+10.0) 500 30012
#Software: Microsoft Internet Information Services 10.0
#Fields: date time cs-method cs-uri-stem sc-status
2024-06-18 11:02:00 GET /health 200
2024-06-18 11:02:01 GET /health 200 extra
"""


def test_an_iis_log_is_read_by_its_fields_lines_and_a_5xx_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "u_ex240618.log"
    path.write_text(IIS, encoding="utf-8")
    assert check_text(path) == "w3c"
    result = FileLogstore(path).fetch(LogQuery(limit=100))
    created, failed, health = result.records
    assert failed.timestamp == datetime(2024, 6, 18, 10, 58, 3, tzinfo=UTC)  # W3C logs are in UTC
    assert failed.message == (
        "2024-06-18 10:58:03 10.0.2.11 POST /api/orders - 443 203.0.113.17"
        " Mozilla/5.0+(Windows+NT+10.0) 500 30012"
    )
    assert failed.fields["sc-status"] == "500" and failed.fields["time-taken"] == "30012"
    assert health.fields == {
        "cs-method": "GET",
        "cs-uri-stem": "/health",
        "sc-status": "200",
    }  # its own block
    assert result.problems == [f"{path}:10: 6 columns where #Fields: names 5"]
    cleaned = clean_records([created, failed, health], None).records
    assert [record.level for record in cleaned] == [None, "ERROR", None]


def test_a_line_before_any_fields_line_is_located(tmp_path: Path) -> None:
    path = tmp_path / "cf.log"
    path.write_text(
        "#Version: 1.0\n2026-12-10\t13:00:03\tFRA60-P1\n#Fields: date time x-edge-location\n"
        "2026-12-10\t13:00:04\tAMS58-P2\n",
        encoding="utf-8",
    )
    result = FileLogstore(path).fetch(LogQuery(limit=100))
    assert [record.fields["x-edge-location"] for record in result.records] == ["AMS58-P2"]
    assert result.problems == [f"{path}:2: a line before the file's first #Fields: line names its columns"]


def test_a_table_with_a_date_and_a_time_column_is_one_time(tmp_path: Path) -> None:
    path = tmp_path / "cloudfront.tsv"
    path.write_text(
        "date\ttime\tx-edge-location\tsc-status\n2026-12-10\t13:24:30\tFRA60-P1\t504\n", encoding="utf-8"
    )
    (record,) = FileLogstore(path).fetch(LogQuery(limit=100)).records
    assert record.timestamp == datetime(2026, 12, 10, 13, 24, 30, tzinfo=UTC)
    assert record.fields == {"x-edge-location": "FRA60-P1", "sc-status": "504"}
