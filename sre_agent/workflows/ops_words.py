"""Plain words for what logs say in jargon: a small, general operations thesaurus.

An engineer asks "is the box running out of ram?"; the kernel writes `Out of memory: Killed
process`. The embedding model bridges some of these and misses most: a line whose words the
question does not share sits at the model's rank 10-60. Each concept here pairs the plain phrases
people use for a kind of trouble with the words software writes for it. They are general knowledge
of operating systems, networks, databases and runtimes, not any one log's wording, and no concept
names a product's private message: one written to make a bench question pass does not belong here.

`concepts_in(question)` finds the concepts a question speaks of and `log_words` their words (by word stems:
"ran out of ram" holds `ram`, "certs" holds `cert`). The retrieve step ranks the few stored lines
that hold one of them (`plan_search._in_jargon`) after the lines of what the question names and
asks for (its exact words, the changes, restarts or recovery it asks about) and before its hybrid
hits; a word many lines hold says nothing about which line is meant and is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

from sre_agent.stems import contains_phrase, stem, stems


@dataclass(frozen=True)
class Concept:
    """A kind of trouble: the plain phrases that speak of it and the words logs write for it."""

    name: str
    plain: tuple[str, ...]
    jargon: tuple[str, ...]


def _concept(name: str, plain: str, jargon: str) -> Concept:
    """A concept from its plain phrases and its log words, each list written `a | b | c`."""
    return Concept(
        name, tuple(p.strip() for p in plain.split("|")), tuple(j.strip() for j in jargon.split("|"))
    )


# The concepts are data, not logic: not mutated (`make mutation`; docs/mutation.md).
# pragma: no mutate start
CONCEPTS: tuple[Concept, ...] = (
    _concept(
        "memory exhausted",
        "ram | out of memory | memory ran out | memory leak | leaking memory | more memory | too much "
        "memory | memory hog | heap",
        "out of memory | OOM | OOMKilled | oom-kill | oom_reaper | OutOfMemoryError | Cannot allocate "
        "memory | MemoryError | bad_alloc | Java heap space | GC overhead limit exceeded | memory "
        "limit | maxmemory | MemoryPressure",
    ),
    _concept(
        "disk full",
        "disk full | disk filled | disk filling | out of disk | out of space | ran out of space | run "
        "out of space | out of room | no room | storage full | filled up | fill up | filling up | "
        "drive full | free space",
        "No space left on device | ENOSPC | Disk quota exceeded | EDQUOT | disk full | filesystem "
        "full | low disk | disk usage | watermark | DiskPressure | flood stage | inodes",
    ),
    _concept(
        "read-only storage",
        "read only | cannot write | can't write | cant write | won't write | wont write | writes fail "
        "| writes failing",
        "Read-only file system | EROFS | read-only | readonly",
    ),
    _concept(
        "refused connections",
        "turned away | turning away | turns away | not accepting | nobody listening | no one "
        "listening | nothing listening | slammed the door | refusing | bounced | bouncing",
        "Connection refused | ECONNREFUSED | connection rejected | No route to host | EHOSTUNREACH | "
        "Network is unreachable | no healthy upstream | upstream connect error | Service Unavailable",
    ),
    _concept(
        "dropped connections",
        "hung up | hanging up | cut off | cutting off | dropped connection | dropping connection | "
        "connections dropped | connections dropping | kicked off | got kicked | disconnect",
        "Connection reset | ECONNRESET | Broken pipe | EPIPE | unexpected EOF | connection closed | "
        "socket hang up | connection lost | Connection aborted | disconnected",
    ),
    _concept(
        "too many at once",
        "every slot | all the slots | no slots | no free | too many | maxed out | max out | at "
        "capacity | over capacity | swamped | overwhelmed | overloaded | no more room | ran out of "
        "connections | out of connections | out of workers | out of threads | out of handles | out of "
        "file",
        "too many connections | max_connections | too many clients | remaining connection slots | Too "
        "many open files | EMFILE | pool exhausted | exhausted | queue full | queue is full | "
        "RejectedExecutionException | Resource temporarily unavailable | EAGAIN | max_children | "
        "worker_connections | maxclients | saturated | backlog | limit reached | Too Many Requests",
    ),
    _concept(
        "waiting on a pool",
        "handle | waiting for a connection | waiting on a connection | borrow | check out a | checked "
        "out | hold on to | holding on to | holding onto | sitting on",
        "Connection is not available | pool | acquire | leak detection | connection leak | QueuePool "
        "limit | active connections | idle connections | waiting threads",
    ),
    _concept(
        "slow or hung",
        "took too long | taking too long | took forever | taking forever | never answered | never "
        "answers | no answer | no reply | never replied | hanging | hung | gave up waiting | giving "
        "up waiting | waited too long | sluggish | crawl",
        "timed out | timeout | deadline exceeded | DEADLINE_EXCEEDED | ETIMEDOUT | Gateway Timeout | "
        "slow query | blocked for more than | hung task | not responding",
    ),
    _concept(
        "rate limited",
        "slow down | slowed down | held back | holding back | rationed | capped | allowance",
        "throttled | throttling | rate limit | rate exceeded | Too Many Requests | 429 | quota "
        "exceeded | limit exceeded | RESOURCE_EXHAUSTED | SlowDown",
    ),
    _concept(
        "used up its quota",
        "quota | used up | allowance | hit the limit | hit a limit | hit the cap | hit a cap | ceiling",
        "quota exceeded | limit exceeded | LimitExceeded | exceeded | RESOURCE_EXHAUSTED",
    ),
    _concept(
        "credentials rejected",
        "log in | logging in | login | sign in | signing in | password | credential | locked out | "
        "lock out | get in | let in | letting in | key rejected | not allowed",
        "authentication failed | authentication failure | Failed password | invalid credentials | bad "
        "credentials | invalid_grant | invalid_client | unauthorized | Unauthenticated | 401 | 403 | "
        "Forbidden | permission denied | access denied | invalid user | token expired | expired token "
        "| invalid token | signature",
    ),
    _concept(
        "certificate trouble",
        "certificate | cert | https | secure connection | padlock | encryption | ssl | expire | "
        "expiry | expiring | renew",
        "x509 | certificate | handshake | TLS | SSL | unknown ca | unknown authority | self signed | "
        "self-signed | CERTIFICATE_VERIFY_FAILED | bad certificate | has expired | not yet valid | "
        "notAfter",
    ),
    _concept(
        "name lookup",
        "name lookup | looking up | look up | lookup | find the address | address book",
        "NXDOMAIN | SERVFAIL | no such host | Name or service not known | Temporary failure in name "
        "resolution | could not resolve | cannot resolve | getaddrinfo | UnknownHostException | "
        "EAI_AGAIN | dns",
    ),
    _concept(
        "falling behind",
        "falling behind | fell behind | fall behind | keep up | keeping up | kept up | keep pace | "
        "keeping pace | catch up | catching up | out of sync | stale | lagging | in step",
        "lag | replication lag | Seconds_Behind_Master | out of sync | ISR | under-replicated | under "
        "replicated | catching up | catch-up | resync | replica | follower | slow follower | apply "
        "lag | consumer lag | stale | backlog",
    ),
    _concept(
        "who is in charge",
        "in charge | boss | took over | take over | taking over | handed over | hand over | who leads "
        "| leading | vote | voting | majority | split in two | two bosses",
        "leader | election | elected | leadership | quorum | failover | promoted | promote | demoted "
        "| stepping down | step down | split brain | split-brain | term | primary",
    ),
    _concept(
        "process died",
        "died | dying | fell over | falls over | crashed | crashing | blew up | killed | shot | "
        "murdered | went away | keeps restarting | kept restarting | restart loop",
        "exited | exit code | exit status | SIGKILL | SIGTERM | SIGSEGV | signal 9 | killed | Killed "
        "process | Segmentation fault | segfault | core dumped | panic | CrashLoopBackOff | Back-off "
        "restarting | terminated | OOMKilled | restarting | Started | Stopped",
    ),
    _concept(
        "thrown away",
        "thrown away | throwing away | throw away | throws away | threw away | throwing out | thrown "
        "out | threw out | kicked out | binned | forgot | forgotten | discarding | went missing | "
        "never arrived | never made it | vanished | disappeared | got rid | getting rid",
        "evict | evicted | eviction | expired | ttl | LRU | purge | purged | dropped | dropping | "
        "discarded | discard | dead letter | dead-letter | DLQ | overflow | truncated | rejected | "
        "buffer full | lost",
    ),
    _concept(
        "overheating",
        "hot | heat | overheat | overheating | cooling | temperature | thermal | melting | air con | aircon",
        "temperature | thermal | overtemp | over temperature | over-temperature | fan | Fan speed | "
        "fans | critical temperature | throttled | cooling | degrees | celsius",
    ),
    _concept(
        "bad memory hardware",
        "memory chip | memory stick | ram stick | memory module | dimm | bad ram | faulty ram | "
        "flipping bits | bit flip",
        "ECC | correctable | uncorrectable | DIMM | ddr | EDAC | Machine check | MCE | parity error | "
        "memory error",
    ),
    _concept(
        "failing disk hardware",
        "drive dying | disk dying | dying disk | dying drive | bad disk | bad drive | failing disk | "
        "failing drive | hard drive | spinning disk | platter | bad sector | disk going | drive going",
        "I/O error | SMART | bad sector | Medium Error | medium error | reallocated | Sense Key | "
        "read error | write error | UNC | ata | blk_update_request | degraded",
    ),
    _concept(
        "power trouble",
        "power | electricity | battery | outlet | plug | unplugged | brownout | blackout",
        "PSU | power supply | voltage | UPS | on battery | power loss | power failure | AC lost | "
        "redundancy lost",
    ),
    _concept(
        "link or signal trouble",
        "light | optic | fiber | fibre | cable | signal | wire | plugged | unplugged | flaky link | "
        "link flapping | port went down | port down | port flapping | dim",
        "Rx power | Tx power | transceiver | SFP | optical | dBm | link down | Link is Down | changed "
        "state to down | carrier | CRC | input errors | flap | flapping | LOS | Loss of signal | "
        "UPDOWN | lineproto",
    ),
    _concept(
        "cpu saturated",
        "cpu | processor | pegged | busy loop | cores | number crunching",
        "CPU | load average | high cpu | cpu usage | throttled | steal | soft lockup | hung task | "
        "blocked for more than | watchdog | rcu_sched",
    ),
    _concept(
        "whole-table reads",
        "every row | every record | every document | every doc | whole table | whole collection | "
        "entire table | entire collection | read everything | reading everything | without an index | "
        "no index | missing index",
        "COLLSCAN | full scan | full table scan | Seq Scan | Sequential Scan | ALLOW FILTERING | "
        "docsExamined | keysExamined | rows_examined | Rows_examined | slow query | planSummary",
    ),
    _concept(
        "waiting on each other",
        "waiting on each other | waiting for each other | stuck waiting | blocked each other | "
        "blocking each other | contention | fighting over",
        "deadlock | Deadlock found | lock wait timeout | Lock wait timeout | lock timeout | waiting "
        "for lock | LockNotAvailable | could not obtain lock | lock contention | ShareLock | "
        "ExclusiveLock",
    ),
    _concept(
        "pauses",
        "froze | freeze | freezing | frozen | stall | stalled | stalling | hiccup | hiccups | stop "
        "the world | paused | pausing | stutter",
        "GC | pause | Full GC | stop-the-world | gc overhead | safepoint | JvmGcMonitorService | "
        "stall | stalled",
    ),
    _concept(
        "health checks",
        "pulse | ping | pings | probe | check in | checking in | heartbeat",
        "health check | healthcheck | Liveness probe failed | Readiness probe failed | unhealthy | "
        "heartbeat | missed heartbeats | no heartbeat | keepalive | keep-alive | probe failed",
    ),
    _concept(
        "corrupt data",
        "corrupt | damaged | garbled | mangled | broken data | bad data | half written | half-written | torn",
        "checksum | corrupt | corrupted | corruption | CRC mismatch | checksum mismatch | malformed | "
        "bad block | invalid page | torn page | truncated",
    ),
    _concept(
        "clock trouble",
        "clock | time drift | time is off | time was off | wrong time | out of step",
        "clock skew | NTP | ntpd | chrony | time drift | clock drift | offset | skew",
    ),
    _concept(
        "retries",
        "kept trying | keeps trying | keep trying | tried again | trying again | try again | second try",
        "retry | retrying | retries | attempt | backoff | back-off | backing off",
    ),
    _concept(
        "more or fewer copies",
        "more machines | more boxes | more servers | more instances | more copies | added capacity | "
        "extra capacity | spun up | spin up | spinning up",
        "scale | scaled | scaling | replicas | autoscal | HPA | ScalingReplicaSet | desired | scale "
        "up | scale down | count",
    ),
    _concept(
        "break-in attempts",
        "break in | breaking in | broke in | guessing | guess | attack | attacker | brute | intruder "
        "| hacker | hacking | someone trying",
        "Failed password | Invalid user | authentication failure | BREAK-IN | brute | banned | Ban | "
        "fail2ban | too many authentication failures | blocked",
    ),
    _concept(
        "piling up",
        "piling up | piled up | pile up | stacking up | stacked up | waiting in line | queued up | "
        "queueing up",
        "backlog | queue | queued | pending | enqueued | messages_ready | unacked | lag | depth | waiting",
    ),
    _concept(
        "mounting storage",
        "attach | attached | attaching | mount | mounted | mounting | plug in the disk",
        "mount | FailedMount | MountVolume | FailedAttachVolume | attach | detach | volume",
    ),
)
# pragma: no mutate end


def _stemmed(phrases: tuple[str, ...]) -> list[list[str]]:
    return [s for s in (stems(p) for p in phrases) if s]


_PLAIN: list[tuple[Concept, list[list[str]]]] = [(c, _stemmed(c.plain)) for c in CONCEPTS]


#: The particles of phrasal verbs, which English lets stand after the object: "turning every new
#: connection away" says "turning away", "kicked the node out" says "kicked out".
_PARTICLES = frozenset({"away", "out", "off", "up", "down", "over", "back"})
_OBJECT_WORDS = 3  # at most this many words between the verb and its particle


def _split_verb(words: list[str], phrase: list[str]) -> bool:
    """Whether the two-word phrasal verb `phrase` ("turn away") stands in `words` with at most
    `_OBJECT_WORDS` words between its verb and its particle."""
    if len(phrase) != 2 or phrase[1] not in _PARTICLES:
        return False
    verb, particle = phrase
    for i, word in enumerate(words):
        if word == verb and particle in words[i + 2 : i + 2 + _OBJECT_WORDS]:
            return True
    return False


def concepts_in(question: str) -> list[tuple[Concept, str]]:
    """The concepts `question` speaks of, each with the first plain phrase that said it."""
    words = stems(question)
    found: list[tuple[Concept, str]] = []
    for concept, plain in _PLAIN:
        for phrase, phrase_stems in zip(concept.plain, plain, strict=True):
            if contains_phrase(words, phrase_stems) or _split_verb(words, phrase_stems):
                found.append((concept, phrase))
                break
    return found


def log_words(spoken: list[tuple[Concept, str]], question: str) -> list[str]:
    """The log words of the concepts `spoken` of (`concepts_in`), each once, in concept order;
    no single word the question already says (its own words are searched already)."""
    said = set(stems(question))
    out: dict[str, None] = {}
    for concept, _ in spoken:
        for word in concept.jargon:
            if " " in word or stem(word) not in said:
                out.setdefault(word, None)
    return list(out)
