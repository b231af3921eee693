"""What redaction rules are made of: the markers, the `Rule` type and its preconditions, vendor
token shapes, IBAN, SSN and card checks, and the check that keeps counters and ids (Kafka
offsets, byte counts, span ids) from being taken for a card or a phone.

`redact.py`, `redact_fields.py` and `redact_pii.py` build their rules from these pieces;
`redact.py` runs them. Token shapes follow public secret-scanning rule sets (gitleaks' default
rules): a fixed prefix and a length, so a match is a token and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

EMAIL = "[EMAIL]"
PHONE = "[PHONE]"
CARD = "[CARD]"
JWT = "[JWT]"
AWS_KEY = "[AWS_KEY]"
TOKEN = "[TOKEN]"
PASSWORD = "[PASSWORD]"
SECRET = "[SECRET]"
PRIVATE_KEY = "[PRIVATE_KEY]"
SSN = "[SSN]"
IBAN = "[IBAN]"


@dataclass(frozen=True)
class Rule:
    """One redaction: `apply(text)` gives the new text and how many replacements it made.

    The rest are preconditions, searched before `apply` on the lower-cased original text; each
    only saves time (most log lines hold no secret at all) and never changes what is redacted,
    so none may be stricter than the rule itself:
    - `words`: strings one of which the text must hold. `Redactor` joins the words of all rules
      without `needs` into one search that skips them all on most lines, then checks a rule's
      own words with `in` (the fastest search there is).
    - `hint`: a regex the text must match, instead of the rule's own words when it is stricter
      than they are (`password` followed by `=` or `:`, not just `password`).
    - `needs`: "run", the rule matches only inside a `LONG_RUN` (token shapes); "digits", only
      where `has_digit_run` (cards, phones, IBANs, SSNs).
    A rule with none of them (a config pattern) always runs.
    """

    name: str
    apply: Callable[[str], tuple[str, int]]
    hint: re.Pattern[str] | None = None
    words: tuple[str, ...] = ()
    needs: str = ""


#: 15 or more characters a token is made of: every vendor token, JWT and key id is one.
LONG_RUN = re.compile(r"[A-Za-z0-9_.~+/=:%-]{15,}")
#: Ten characters of digits and separators, from a digit to a digit: every card, phone, IBAN and
#: SSN holds such a stretch. ISO dates (`2025-03-18`) and IPv4 addresses have them too, so those
#: do not count.
_DIGIT_RUN = re.compile(r"\d[\d .()/-]{8,}\d")
_NOT_A_NUMBER = re.compile(r"\d{4}-\d\d-\d\d(?: \d\d)?|\d{1,3}(?:\.\d{1,3}){3}")


def has_digit_run(text: str) -> bool:
    """True if `text` holds a `_DIGIT_RUN` other than an ISO date or an IPv4 address."""
    m = _DIGIT_RUN.search(text)
    while m is not None:
        if not _NOT_A_NUMBER.fullmatch(m.group()):
            return True
        m = _DIGIT_RUN.search(text, m.end())
    return False


def sub(
    pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str | None]
) -> Callable[[str], tuple[str, int]]:
    """A rule body: each match of `pattern` becomes `replace(match)` (None: leave it as it is)."""

    def apply(text: str) -> tuple[str, int]:
        count = 0

        def substitute(m: re.Match[str]) -> str:
            nonlocal count
            new = replace(m)
            if new is None or new == m.group(0):
                return m.group(0)
            count += 1
            return new

        return pattern.sub(substitute, text), count

    return apply


def sub_in_runs(
    pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str | None]
) -> Callable[[str], tuple[str, int]]:
    """Like `sub`, but `pattern` is only searched inside each `LONG_RUN` of the text (a long
    alternation of token shapes costs per character searched; most of a log line is words)."""

    def apply(text: str) -> tuple[str, int]:
        parts: list[str] = []
        done = count = 0
        for run in LONG_RUN.finditer(text):
            for m in pattern.finditer(text, run.start(), run.end()):
                new = replace(m)
                if new is None or new == m.group(0):
                    continue
                parts += [text[done : m.start()], new]
                done = m.end()
                count += 1
        return ("".join(parts) + text[done:], count) if count else (text, 0)

    return apply


def const(marker: str) -> Callable[[re.Match[str]], str | None]:
    return lambda m: marker


#: A `name=value` field (a name of letters, no digits) where a prose secret's value would be:
#: "failed to renew Vault token: alloc_id=670a…" names the next field, not the token (a token
#: holds `=` only as its padding, at the end).
NEXT_FIELD = re.compile(r"[A-Za-z_][A-Za-z_.\-]*=[^=]")


def token_start(excluded: str) -> str:
    """A lookbehind: a match starts a token. The character before it is not in `excluded` (nor a
    backslash), or it ends a URL escape (`%20AKIA...`) or a JSON escape (`\\nAKIA...`)."""
    return rf"(?:(?<![\\%{excluded}])|(?<=%[0-9A-Fa-f]{{2}})|(?<=\\[nrt]))"


# --- vendor tokens with a fixed prefix ----------------------------------------------------------
#: (name, regex) of tokens whose shape alone says what they are. Each is matched at the start of
#: a token and must end where the token ends, and is only searched inside a `LONG_RUN`, so none
#: may hold a character outside it (a blank, a comma).
VENDOR_TOKENS: tuple[tuple[str, str], ...] = (
    ("github", r"gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255}"),
    ("slack", r"xox[abposer]-[A-Za-z0-9-]{10,255}|xapp-[A-Za-z0-9-]{10,255}"),
    ("stripe", r"(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,255}|whsec_[A-Za-z0-9]{20,255}"),
    ("openai_anthropic", r"sk-(?=[A-Za-z0-9_-]{0,255}[0-9])[A-Za-z0-9_-]{20,255}"),
    ("google_api_key", r"AIza[0-9A-Za-z_-]{35}"),
    ("google_oauth", r"ya29\.[0-9A-Za-z_-]{20,2048}|GOCSPX-[A-Za-z0-9_-]{24,40}"),
    (
        "gitlab",
        r"gl(?:pat|ptt|dt|rt|cbt|oas|imt|ft|ffct|agent|soat)-[A-Za-z0-9_.-]{20,300}|GR1348941[\w-]{20}",
    ),
    ("npm", r"npm_[A-Za-z0-9]{36}"),
    ("pypi", r"pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}"),
    ("sendgrid", r"SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}"),
    ("twilio", r"(?:SK|AC)[0-9a-fA-F]{32}"),
    ("huggingface", r"hf_[A-Za-z0-9]{30,40}|api_org_[A-Za-z0-9]{30,40}"),
    ("digitalocean", r"do[opr]_v1_[a-f0-9]{64}"),
    ("shopify", r"shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}"),
    ("vault", r"hv[sb]\.[A-Za-z0-9_-]{24,200}"),
    ("telegram_bot", r"(?:bot)?\d{8,10}:AA[A-Za-z0-9_-]{33}"),  # `/bot<token>/sendMessage` in API URLs
    ("mailgun", r"key-[0-9a-z]{32}"),
    ("atlassian", r"ATATT3[A-Za-z0-9_=-]{150,300}"),
    ("grafana", r"glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,400}={0,2}"),
    ("linear", r"lin_(?:api|oauth)_[A-Za-z0-9]{40}"),
    ("newrelic", r"NR(?:AK|II|JS)-[A-Za-z0-9]{19,40}"),
    ("postman", r"PMAK-[a-f0-9]{24}-[a-f0-9]{34}"),
    ("doppler", r"dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44}"),
    ("databricks", r"dapi[a-f0-9]{32}(?:-\d)?"),
    ("pulumi", r"pul-[a-f0-9]{40}"),
    ("planetscale", r"pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.=-]{32,64}"),
    ("rubygems", r"rubygems_[a-f0-9]{48}"),
    ("square", r"sq0(?:atp|csp)-[A-Za-z0-9_-]{22,43}|EAAA[A-Za-z0-9_-]{60}"),
    ("age", r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}"),
    ("alibaba", r"LTAI[A-Za-z0-9]{20}"),
    ("figma", r"fig[dhu]_[A-Za-z0-9_-]{40}"),
    ("flyio", r"fo1_[A-Za-z0-9_-]{43}"),
    ("replicate", r"r8_[A-Za-z0-9]{37}"),
    ("groq", r"gsk_[A-Za-z0-9]{52}"),
    ("perplexity", r"pplx-[A-Za-z0-9]{48}"),
    ("sentry", r"sntry[su]_[A-Za-z0-9+/=_-]{60,300}"),
    ("terraform", r"[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}"),
    ("facebook", r"EAA[A-Za-z0-9]{90,400}"),
    ("azure_ad_secret", r"[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}"),
    ("discord_bot", r"[MN][A-Za-z0-9]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}"),
    ("onepassword", r"ops_eyJ[A-Za-z0-9+/=_-]{250,}"),
    ("mapbox", r"sk\.eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}"),
    ("heroku", r"HRKU-[A-Za-z0-9_-]{30,80}"),
    ("notion", r"ntn_[A-Za-z0-9]{40,50}"),
    ("typeform", r"tfp_[A-Za-z0-9_.=-]{59}"),
    ("dropbox", r"sl\.[A-Za-z0-9_-]{130,160}"),
    ("dynatrace", r"dt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}"),
    ("easypost", r"EZ[AT]K[A-Za-z0-9]{54}"),
    ("prefect", r"pnu_[A-Za-z0-9]{36}"),
    ("readme", r"rdme_[a-z0-9]{70}"),
    ("clojars", r"CLOJARS_[a-z0-9]{60}"),
    ("shippo", r"shippo_(?:live|test)_[a-f0-9]{40}"),
    ("duffel", r"duffel_(?:test|live)_[A-Za-z0-9_=-]{43}"),
    ("infracost", r"ico-[A-Za-z0-9]{32}"),
    ("scalingo", r"tk-us-[A-Za-z0-9_-]{48}"),
    ("frameio", r"fio-u-[A-Za-z0-9_=-]{64}"),
    ("xai", r"xai-[A-Za-z0-9]{80}"),
    ("grafana_api_key", r"eyJrIjoi[A-Za-z0-9]{70,400}={0,3}"),
    ("openshift", r"sha256~[\w-]{43}"),
    ("artifactory", r"AKCp[A-Za-z0-9]{69}|cmVmd[A-Za-z0-9]{59}"),
    ("cloudflare_origin_ca", r"v1\.0-[a-f0-9]{24}-[a-f0-9]{146}"),
    ("adobe", r"p8e-[A-Za-z0-9]{32}"),
    ("airtable", r"pat[A-Za-z0-9]{14}\.[a-f0-9]{64}"),
    (
        "onepassword_secret_key",
        r"A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}",
    ),
    ("aws_bedrock", r"ABSK[A-Za-z0-9+/]{109,269}={0,2}"),
    ("flutterwave", r"FLW(?:SECK|PUBK)(?:_TEST)?-[A-Za-z0-9]{12,32}(?:-X)?"),
    ("harness", r"(?:pat|sat)\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20}"),
    ("mailchimp", r"[a-f0-9]{32}-us\d{1,2}"),
    ("sendinblue", r"xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}"),
    ("settlemint", r"sm_[aps]at_[A-Za-z0-9]{16}"),
    ("sourcegraph", r"sgp_(?:[a-fA-F0-9]{16}_|local_)?[a-fA-F0-9]{40}"),
    ("maxmind", r"[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk"),
    ("octopus_deploy", r"API-[A-Z0-9]{26}"),
)


# --- checks for numbers that look like a card or a phone ----------------------------------------
def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


# (prefixes, allowed lengths) of the card brands we recognise. Requiring a brand keeps 13-19
# digit ids that happen to pass Luhn (epoch micros, decimal trace ids) out.
_CARD_BRANDS: tuple[tuple[tuple[str, ...], tuple[int, ...]], ...] = (
    (("4",), (13, 16, 19)),  # Visa
    (("51", "52", "53", "54", "55"), (16,)),  # Mastercard
    (tuple(str(p) for p in range(2221, 2721)), (16,)),  # Mastercard 2-series
    (("34", "37"), (15,)),  # American Express
    (("6011", "65", "644", "645", "646", "647", "648", "649"), (16, 17, 18, 19)),  # Discover
    (("35",), (16, 17, 18, 19)),  # JCB
    (("36", "38", "39", "300", "301", "302", "303", "304", "305", "3095"), (14, 15, 16)),  # Diners
    (("62",), (16, 17, 18, 19)),  # UnionPay
)


def is_card_number(digits: str) -> bool:
    for prefixes, lengths in _CARD_BRANDS:
        if len(digits) in lengths and digits.startswith(prefixes):
            return luhn_ok(digits)
    return False


#: A number right after one of these keys is a counter or an id, never a card or a phone.
_COUNTER_BEFORE = re.compile(
    r"(?i:(?:\b|_)(?:offsets?|ids?|seq|sequence|lsn|pos|position|ts|timestamp|epoch|nanos|micros|millis"
    r"|count|size|bytes|lag|index|partition|generation|version|resourceversion|parent|trace|span"
    r"|ns|us|ms|secs?|seconds|elapsed|duration|latency))"
    r"[\"']?[ \t]{0,2}[:=]?[ \t]{0,2}[\"']?$"
    r"|[a-z]Id[\"']?[ \t]{0,2}[:=]?[ \t]{0,2}[\"']?$"  # spanId=, messageId:
)
#: ...or right before one of these units.
_UNIT_AFTER = re.compile(
    r"[ \t]?(?:bytes|b|kb|mb|gb|ms|us|µs|ns|s|sec|records|rows|events|msgs|messages|items|ops)\b",
    re.IGNORECASE,
)


def is_counter(text: str, start: int, end: int) -> bool:
    """True when the number at `text[start:end]` is a counter or an id by its key or its unit."""
    return bool(_COUNTER_BEFORE.search(text, max(0, start - 24), start) or _UNIT_AFTER.match(text, end))


# --- IBAN ----------------------------------------------------------------------------------------
#: Length of a country's IBAN (ISO 13616 registry).
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
    "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
    "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
    "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
    "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29,
    "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip


def is_iban(text: str) -> bool:
    """True for an IBAN (spaces allowed) of its country's length whose check digits are right."""
    iban = text.replace(" ", "").upper()
    if IBAN_LENGTHS.get(iban[:2]) != len(iban):
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def is_ssn(text: str) -> bool:
    """A US SSN `AAA-GG-SSSS` as issued: no area 000, 666 or 9xx, no group 00, no serial 0000."""
    area, group, serial = text.split("-")
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"
