"""Secrets named by a field, a flag or a word around them (`redact_fields.py`), pinned exactly:
each case is the text in, the text out and the number of markers, one per syntax and per side of
each rule's limits (the tool a short flag belongs to, a weak name's plain word, the shortest
value a prose keyword takes, a marker already there).
"""

from __future__ import annotations

import pytest
from redact_cases import case, check, kept

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl"


CLI = [
    case("curl -u admin:hunter2 https://x", "curl -u admin:[PASSWORD] https://x", 1, "curl-u"),
    case("curl --user admin:hunter2 https://x", "curl --user admin:[PASSWORD] https://x", 1, "curl-user"),
    case("curl -U proxy:pw1 https://x", "curl -U proxy:[PASSWORD] https://x", 1, "curl-U"),
    case("curl --proxy-user p:pw1 https://x", "curl --proxy-user p:[PASSWORD] https://x", 1, "proxy-user"),
    case("curl -u=admin:pw https://x", "curl -u=admin:[PASSWORD] https://x", 1, "curl-u-equals"),
    case("['curl', '-u', 'admin:pw']", "['curl', '-u', 'admin:[PASSWORD]']", 1, "argv-list"),
    kept("curl -u admin https://x", "curl-u-no-password"),
    case("run --password hunter2 now", "run --password [PASSWORD] now", 1, "long-flag-blank"),
    case("run --password=hunter2 now", "run --password=[PASSWORD] now", 1, "long-flag-equals"),
    case("run --password 'hunter two' now", "run --password '[PASSWORD]' now", 1, "single-quoted"),
    case('run --password "hunter2" now', 'run --password "[PASSWORD]" now', 1, "double-quoted"),
    case("run --api-token=abc now", "run --api-token=[TOKEN] now", 1, "api-token"),
    case(
        "java -Dspring.datasource.password=x1 -jar a",
        "java -Dspring.datasource.password=[PASSWORD] -jar a",
        1,
        "java-property",
    ),
    kept("run --password [PASSWORD] now", "flag-marker-kept"),
    kept("run --api-token '' now", "flag-empty-quoted"),
    kept("run --confirm true now", "weak-flag-plain-word"),
    case("run --auth abcdefgh12 now", "run --auth [TOKEN] now", 1, "weak-flag-opaque"),
    kept("run --verbose hunter2 now", "ordinary-flag"),
    kept("run --PWD /home/bob", "pwd-flag-is-the-shell-directory"),
    case("run --password XX now", "run --password [PASSWORD] now", 1, "value-of-capital-x"),
    kept("zkCli --session-id 0x14f05578bf80005", "session-flag-in-text"),
    kept("run x--password hunter2", "flag-inside-a-word"),
    case("mysql -phunter2 db", "mysql -p[PASSWORD] db", 1, "mysql-glued"),
    case("mysql -pXyz db", "mysql -p[PASSWORD] db", 1, "mysql-capital-x"),
    kept("mysql -p hunter2 db", "mysql-spaced-is-the-db"),
    case("mariadb -p'hunter2' db", "mariadb -p'[PASSWORD]' db", 1, "mariadb-quoted"),
    case("7z a -phunter2 a.7z", "7z a -p[PASSWORD] a.7z", 1, "7z"),
    case("rar a -phunter2 a.rar", "rar a -p[PASSWORD] a.rar", 1, "rar"),
    case("sshpass -p hunter2 ssh x", "sshpass -p [PASSWORD] ssh x", 1, "sshpass"),
    kept("sshpass -phunter2 ssh x", "sshpass-glued"),
    case("docker login -p hunter2 reg", "docker login -p [PASSWORD] reg", 1, "docker-login"),
    kept("docker login -phunter2 reg", "docker-login-glued"),
    case("redis-cli -a hunter2 ping", "redis-cli -a [PASSWORD] ping", 1, "redis-cli"),
    kept("redis-cli -ahunter2 ping", "redis-cli-glued"),
    case("zip -P hunter2 a.zip f", "zip -P [PASSWORD] a.zip f", 1, "zip"),
    kept("ls -p hunter2", "another-tool"),
    kept("mysql -p[PASSWORD] db", "short-flag-marker-kept"),
]


@pytest.mark.parametrize("text, expected, n", CLI)
def test_command_lines(text: str, expected: str, n: int) -> None:
    check(text, expected, n)


FORMS = [
    case(
        'Content-Disposition: form-data; name="password"\r\n\r\nhunter2\r\n--b',
        'Content-Disposition: form-data; name="password"\r\n\r\n[PASSWORD]\r\n--b',
        1,
        "multipart-crlf",
    ),
    case(
        'form-data; name=\\"password\\"\\r\\n\\r\\nhunter2\\r\\n--b',
        'form-data; name=\\"password\\"\\r\\n\\r\\n[PASSWORD]\\r\\n--b',
        1,
        "multipart-escaped",
    ),
    case(
        'form-data; name="password"\n\nhunter2', 'form-data; name="password"\n\n[PASSWORD]', 1, "multipart-lf"
    ),
    case(
        'form-data; name="api_key"; filename="k.txt"\r\n\r\nabc123',
        'form-data; name="api_key"; filename="k.txt"\r\n\r\n[SECRET]',
        1,
        "multipart-with-filename",
    ),
    kept('form-data; name="comment"\r\n\r\nhunter2', "multipart-other"),
    kept('form-data; name="confirm"\r\n\r\ntrue', "multipart-weak-word"),
    case(
        '{"name": "X-Api-Key", "value": "abc123"}',
        '{"name": "X-Api-Key", "value": "[SECRET]"}',
        1,
        "har-header",
    ),
    kept('{"name": "Accept", "value": "text/html"}', "har-other"),
    case(
        '{\\"name\\": \\"password\\", \\"value\\": \\"hunter2\\"}',
        '{\\"name\\": \\"password\\", \\"value\\": \\"[PASSWORD]\\"}',
        1,
        "har-escaped",
    ),
    case(
        '{"name": "password",\n "value": "hunter2"}',
        '{"name": "password",\n "value": "[PASSWORD]"}',
        1,
        "har-2-lines",
    ),
    kept('{"name": "password", "value": ""}', "har-empty"),
    kept('{"name": "SMTP_PASS", "value": "hunter"}', "har-weak-word"),
    case('<add key="ApiKey" value="abc123"/>', '<add key="ApiKey" value="[SECRET]"/>', 1, "dotnet-config"),
    case(
        "<add key='DbPassword' value='pw1'/>",
        "<add key='DbPassword' value='[PASSWORD]'/>",
        1,
        "single-quotes",
    ),
    case("name=db.password value=hunter2", "name=db.password value=[PASSWORD]", 1, "unquoted"),
]


@pytest.mark.parametrize("text, expected, n", FORMS)
def test_forms_and_name_value_pairs(text: str, expected: str, n: int) -> None:
    check(text, expected, n)


XML = [
    case("<password>hunter2</password>", "<password>[PASSWORD]</password>", 1, "element"),
    case("<ns:SecretKey>abc</ns:SecretKey>", "<ns:SecretKey>[SECRET]</ns:SecretKey>", 1, "namespaced"),
    case('<password type="x">hunter2</password>', '<password type="x">[PASSWORD]</password>', 1, "attribute"),
    kept("<user>bob</user>", "other-element"),
    kept("<pass>hunter</pass>", "weak-name-plain-word"),
    case("<pass>hunter2</pass>", "<pass>[PASSWORD]</pass>", 1, "weak-name-not-a-word"),
    kept("<password>[PASSWORD]</password>", "marker-kept"),
    case(f"<token>{JWT}</token>", "<token>[JWT]</token>", 1, "another-rule's-marker-kept"),
    case(
        '<entry key="db.password">hunter2</entry>', '<entry key="db.password">[PASSWORD]</entry>', 1, "named"
    ),
    case('<param name="apiToken">abc12345</param>', '<param name="apiToken">[TOKEN]</param>', 1, "param"),
    kept('<entry key="db.url">jdbc:x</entry>', "named-other"),
    kept('<entry key="db.pass">hunter</entry>', "named-weak-word"),
    kept("<sessionId>0x14f05578bf80005</sessionId>", "session-in-text"),  # as `sessionid: 0x14f...` is
    kept("name=sessionid value=0x14f05578bf80005", "session-pair-in-text"),
    kept('<entry key="db.password">[PASSWORD]</entry>', "named-marker"),
]


@pytest.mark.parametrize("text, expected, n", XML)
def test_xml(text: str, expected: str, n: int) -> None:
    check(text, expected, n)


CODE_AND_PROTOCOLS = [
    case("define('DB_PASSWORD', 'hunter2');", "define('DB_PASSWORD', '[PASSWORD]');", 1, "php-define"),
    case('putenv("API_TOKEN", "abc123");', 'putenv("API_TOKEN", "[TOKEN]");', 1, "putenv"),
    kept("define('DB_HOST', 'localhost');", "define-other"),
    kept("define('DB_PASS', 'hunter');", "define-weak-word"),
    kept("define('DB_PASSWORD', '[PASSWORD]');", "define-marker"),
    case(f"define('API_TOKEN', '{JWT}');", "define('API_TOKEN', '[JWT]');", 1, "define-jwt"),
    case(
        "CREATE USER bob IDENTIFIED BY 'hunter2';",
        "CREATE USER bob IDENTIFIED BY '[PASSWORD]';",
        1,
        "sql-identified",
    ),
    case(
        'ALTER ROLE bob WITH PASSWORD "hunter2";',
        'ALTER ROLE bob WITH PASSWORD "[PASSWORD]";',
        1,
        "sql-password",
    ),
    kept("ALTER ROLE bob PASSWORD '[PASSWORD]';", "sql-marker"),
    kept("ALTER ROLE bob PASSWORD NULL;", "sql-unquoted"),
    case(f"ALTER USER bob PASSWORD '{JWT}';", "ALTER USER bob PASSWORD '[JWT]';", 1, "sql-jwt"),
    case(
        "htpasswd -b /etc/htpasswd bob hunter2", "htpasswd -b /etc/htpasswd bob [PASSWORD]", 1, "htpasswd-b"
    ),
    case(
        "htpasswd -cb /etc/htpasswd bob hunter2",
        "htpasswd -cb /etc/htpasswd bob [PASSWORD]",
        1,
        "htpasswd-cb",
    ),
    kept("htpasswd -c /etc/htpasswd bob", "htpasswd-prompts"),
    case("C: AUTH PLAIN AGJvYgBodW50ZXIy", "C: AUTH PLAIN [TOKEN]", 1, "smtp-auth-plain"),
    case("C: auth login Ym9iQGV4YW1wbGU=", "C: auth login [TOKEN]", 1, "smtp-auth-login"),
    kept("C: AUTH PLAIN abc", "smtp-too-short"),
    case(
        'Authorization: Digest username="bob", response="6629fae49393a05397450978507c4ef1"',
        'Authorization: Digest username="bob", response="[TOKEN]"',
        1,
        "digest-response",
    ),
    kept('response="6629fae49393a05397450978507c4e"', "digest-30-hex"),
]


@pytest.mark.parametrize("text, expected, n", CODE_AND_PROTOCOLS)
def test_calls_sql_and_protocols(text: str, expected: str, n: int) -> None:
    check(text, expected, n)


PROSE = [
    case("the api key is 9f8e7d6c5b4a3928", "the api key is [SECRET]", 1, "key-16"),
    kept("the api key is 9f8e7d6c5b4a392", "key-15"),
    kept("the api key is abcdefghijklmnop", "key-16-letters"),
    case("the api key is abcdefghijklmnopqrstuvwx", "the api key is [SECRET]", 1, "key-24-letters"),
    case("the api key is 9f8e7d6c5b4a392X", "the api key is [SECRET]", 1, "key-16-ending-in-x"),
    case("the apikey is 9f8e7d6c5b4a3928", "the apikey is [SECRET]", 1, "apikey"),
    case("the API-KEY is 9f8e7d6c5b4a3928", "the API-KEY is [SECRET]", 1, "api-dash-key"),
    case("app key = 9f8e7d6c5b4a39281706,", "app key = [SECRET],", 1, "app-key-equals"),
    case("the secret is Zq8kP2mX9vL4nR7t.", "the secret is [SECRET].", 1, "secret-sentence-end"),
    case("the secret was Zq8kP2mX9vL4nR7t!", "the secret was [SECRET]!", 1, "secret-was"),
    case("token is 9f8e7d6c5b4a3928", "token is [SECRET]", 1, "token"),
    kept("mytoken is 9f8e7d6c5b4a3928", "keyword-inside-a-word"),
    kept("password is hunter", "password-word"),
    case("password is hunterTwo", "password is [PASSWORD]", 1, "password-9-mixed"),
    case("password is aBcdefgh", "password is [PASSWORD]", 1, "password-8-mixed"),
    kept("password is abcdefgh", "password-8-lower"),
    case("password is abcdefg1", "password is [PASSWORD]", 1, "password-with-digit"),
    kept("password 123", "three-characters"),
    case("password 1234", "password [PASSWORD]", 1, "four-characters"),
    case("passphrase to hunter22", "passphrase to [PASSWORD]", 1, "passphrase-to"),
    case("passcode was Zq8kP2mXa", "passcode was [PASSWORD]", 1, "passcode"),
    case("otp 4821", "otp [PASSWORD]", 1, "otp"),
    case("pin of 4821", "pin of [PASSWORD]", 1, "pin-of"),
    case("pin: 1234.", "pin: [PASSWORD].", 1, "pin-colon"),
    kept("pin: abcd", "pin-letters"),
    kept("pinned 4821", "pinned"),
    kept("password was [PASSWORD]", "marker"),
]


@pytest.mark.parametrize("text, expected, n", PROSE)
def test_prose(text: str, expected: str, n: int) -> None:
    check(text, expected, n)
