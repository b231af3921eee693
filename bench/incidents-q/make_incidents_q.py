#!/usr/bin/env python3
"""Build the "incidents-q" evaluation set: three synthetic incidents, each a six-turn on-call thread.

Usage: python3 make_incidents_q.py [--out DIR] [--show]

  --out   where to write; default: the folder of this script.
  --show  print every turn's relevant lines and each system's template counts; write nothing.

Writes <out>/q-<system>/logs.jsonl and incident.json for three systems, and <out>/questions.json
(the style of every turn, for shared/spec/score_replay.py --questions), then prints the sha256 of
every file written. Standard library only. All randomness comes from random.Random with fixed
seeds and nothing iterates over a set or depends on hash order, so a second run writes identical
bytes under any PYTHONHASHSEED.

The logs are synthetic. Each system is simulated from a story (a fault with a cause and its
consequences, a second unrelated problem, a change that matters, routine lines and noise) and
written in the wording of the real software as closely as the author could remember it. Every
record carries the two fields the replay format requires, `timestamp` (ISO 8601 with Z) and
`message`; all other fields keep the names (and the nesting) the source or its shipper writes, so
none of the three has `level`, `service`, `host`, `method`, `request_id` or `user_id` as top-level
fields:

  q-spring   a Java 17 / Spring Boot 3.2 order service on three VMs. Logback's ECS encoder writes
             flat dotted keys (`@timestamp`, `log.level`, `message`, `ecs.version`, `service.name`,
             `service.version`, `service.environment`, `event.dataset`, `process.thread.name`,
             `log.logger`, MDC keys such as `trace.id`, `transaction.id`, `order.id`, and
             `error.type`, `error.message`, `error.stack_trace` with its `Caused by:` chain);
             Tomcat's access log is a text line in `message`. Fluent Bit adds `log.file.path`,
             `hostname` and `timestamp`.
  q-netdev   IOS-XE, NX-OS, Junos and ASA syslog through a syslog-ng relay's format-json: `DATE`,
             `FACILITY`, `HOST`, `HOST_FROM`, `ISODATE`, `MESSAGE`, `PID`, `PRIORITY`, `PROGRAM`,
             `SOURCEIP`, `_cisco` {facility, severity, mnemonic}, plus `message` and `timestamp`
             from the template.
  q-nomad    Consul 1.17 and Nomad 1.7 agents writing hclog JSON (`@level`, `@message`, `@module`,
             `@timestamp` and the line's pairs), read by Vector's file source and merged into the
             event: the keys plus `file`, `hostname`, `message` (the raw JSON line), `source_type`,
             `timestamp`.

Four styles: broad (a time window, "what went wrong"), lexical (an exact id, number, name or quoted
log fragment), paraphrase (plain words about lines whose wording the ask does not share) and
follow-up (the ask only makes sense after the earlier turns: "it", "that", "after that").
Relevant lines are never listed by hand: a rule selects them. A rule is a dict, or a list of dicts
whose selections are united; every condition of a dict must hold:

  msg      regex searched in `message`
  not_msg  regex that must NOT be found in `message`
  field    {name: regex}, fully matched against the field's text (JSON text for numbers, booleans,
           null and objects). A name is looked up as a key first (so the flat ECS key
           "error.message" is found as it is) and otherwise as a dotted path into nested objects.
  since    ISO 8601 with offset; the record's timestamp must be >= it
  until    ISO 8601 with offset; the record's timestamp must be < it

Checks before anything is written: 1,500-2,500 records per system, timestamps never go backwards
and carry Z, span 20-48 h, at least 25 templates, no forbidden top-level field; every turn selects
1-40 lines holding at most 10 distinct messages (so a perfect top 10 of distinct messages can find
all of them); both mentions occur (case-insensitively) in some field of a relevant line; every
style at least once per system; no ask repeats. Paraphrase asks are checked for any content word,
or any pair of words with the same first four letters, shared with the messages of their relevant
lines; if one is found it is printed and the script exits 1 without writing.
"""

import argparse
import hashlib
import json
import random
import re
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
UTC = timezone.utc
STYLES = ("broad", "lexical", "paraphrase", "follow-up")
MIN_LINES, MAX_LINES, MAX_MSGS = 1, 40, 10
MIN_RECORDS, MAX_RECORDS = 1500, 2500
MIN_TEMPLATES = 25
MIN_SPAN_H, MAX_SPAN_H = 20, 48
FORBIDDEN_TOP = ("level", "service", "host", "method", "request_id", "user_id")


# ---------------------------------------------------------------------------------------------
# Small helpers


class Log:
    """Collects (time, template, record) and returns the records sorted by time (stable)."""

    def __init__(self):
        self.ev = []

    def add(self, dt, tpl, rec):
        assert "timestamp" in rec and "message" in rec, tpl
        self.ev.append((dt, len(self.ev), tpl, rec))

    def build(self):
        recs, tpls = [], []
        for dt, _, tpl, rec in sorted(self.ev, key=lambda e: (e[0], e[1])):
            recs.append(rec)
            tpls.append(tpl)
        return recs, tpls


def poisson(rng, start, end, per_hour, shape=None):
    """Arrival times of a Poisson process; shape(t) in [0, 1] thins it (time-of-day profile)."""
    out, t, rate = [], start, per_hour / 3600.0
    while True:
        t = t + timedelta(seconds=rng.expovariate(rate))
        if t >= end:
            return out
        if shape is None or rng.random() < shape(t):
            out.append(t)


def sec(x):
    return timedelta(seconds=x)


def hexs(rng, n):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def alnum(rng, n):
    return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))


def uuid4(rng):
    h = hexs(rng, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{rng.choice('89ab')}{h[17:20]}-{h[20:]}"


def inside(t, windows):
    return any(a <= t < b for a, b in windows)


def iso_ms(dt):
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def iso_us(dt):
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond:06d}Z"


def plus(ts, seconds):
    return iso_ms(parse_ts(ts) + sec(seconds))


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def day_shape(t):
    return 1.0 if 7 <= t.hour < 21 else 0.3


# =============================================================================================
# 1. spring: `order-service`, a Java 17 / Spring Boot 3.2 service on three VMs (orders-1..3)
#    behind a load balancer (10.20.0.5, 10.20.0.6 as Tomcat sees them). It stores orders in
#    Postgres through HikariCP (HikariPool-1, maximumPoolSize 10, connectionTimeout 30000,
#    leakDetectionThreshold 20000), charges cards through a payment gateway client guarded by a
#    Resilience4j circuit breaker `paymentGateway`, asks tax-api.internal:8443 for tax quotes on
#    EU orders and consumes the Kafka topic `inventory-events` (6 partitions, group
#    order-service). Logback writes ECS JSON (co.elastic.logging.logback.EcsEncoder) to a file;
#    embedded Tomcat writes its access log to another. Fluent Bit tails both (JSON parser for the
#    ECS file, none for the access log), adds `log.file.path` (Path_Key) and `hostname`
#    (record_modifier) and copies the time into `timestamp`.
#    Routine: a rolling deploy of 4.12.0 at 10:05 (Kafka rebalances), orders, order views,
#    inventory events, a monitoring box polling /actuator/health (the mail health indicator cannot
#    reach smtp.internal:25, so every poll logs a WARN and answers 503), bots, duplicate-key
#    retries, Hikari `Failed to validate connection`, the occasional payment `Read timed out`.
#    Change: at 13:58 somebody raises `payment.client.read-timeout` from 2s to 30s in the config
#    repo and POSTs /actuator/refresh on the three instances. Fault: from 14:11:40 the payment
#    gateway answers in 18-29 s. Orders now hold their DB connection (the charge runs inside the
#    order transaction) for that long: Hikari's leak detector fires for every such order, the pool
#    runs dry (`HikariPool-1 - Connection is not available, request timed out after 30000ms.`),
#    every request that needs the database answers 500, the Kafka listener's retries exceed
#    max.poll.interval.ms and the consumer is kicked out of the group. At 14:33:40 the timeout is
#    set back to 2s (refresh again); the calls now time out fast, the circuit breaker opens
#    (orders answer 503 while it is open, cycling OPEN -> HALF_OPEN -> OPEN) and the pool
#    recovers; from 14:56 the gateway is fast again and the breaker closes.
#    Unrelated: at midnight tax-api's certificate is renewed by a new internal CA that the JVM's
#    truststore does not know: every tax quote fails with `PKIX path building failed` and the
#    order uses the fallback rate.

S_HOSTS = ["orders-1", "orders-2", "orders-3"]
S_LB = ["10.20.0.5", "10.20.0.6"]
S_OPS_IP = "10.20.9.15"
S_MON_IP = "10.20.9.40"
S_APP_LOG = "/var/log/order-service/order-service.json"
S_PSP = "https://api.paygate.example/v2/charges"
S_TAX = "https://tax-api.internal:8443/v1/quotes"
S_HIKARI = "HikariPool-1 - Connection is not available, request timed out after 30000ms."
S_SERVLET = ("Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception [Request processing failed: "
             "org.springframework.transaction.CannotCreateTransactionException: Could not open JPA EntityManager for transaction] "
             "with root cause")
S_POLL = ("consumer poll timeout has expired. This means the time between subsequent calls to poll() was longer than the configured "
          "max.poll.interval.ms, which typically implies that the poll loop is spending too much time processing messages. You can "
          "address this either by increasing max.poll.interval.ms or by reducing the maximum size of batches returned in poll() "
          "with max.poll.records.")
S_PARTS = {"orders-1": [0, 1], "orders-2": [2, 3], "orders-3": [4, 5]}

L_TOMCAT = "org.apache.catalina.core.ContainerBase.[Tomcat].[localhost].[/].[dispatcherServlet]"
L_LEAK = "com.zaxxer.hikari.pool.ProxyLeakTask"
L_POOL = "com.zaxxer.hikari.pool.HikariPool"
L_HIKARI = "com.zaxxer.hikari.HikariDataSource"
L_PBASE = "com.zaxxer.hikari.pool.PoolBase"
L_ORDER = "com.example.orders.service.OrderService"
L_PAY = "com.example.orders.payment.PaymentClient"
L_PAYCFG = "com.example.orders.payment.PaymentClientConfig"
L_CB = "com.example.orders.config.ResilienceConfig"
L_TAX = "com.example.orders.tax.TaxClient"
L_INV = "com.example.orders.inventory.InventoryEventListener"
L_COORD = "org.apache.kafka.clients.consumer.internals.ConsumerCoordinator"
L_ACOORD = "org.apache.kafka.clients.consumer.internals.AbstractCoordinator"
L_CONTAINER = "org.springframework.kafka.listener.KafkaMessageListenerContainer"
L_ERRH = "org.springframework.kafka.listener.DefaultErrorHandler"
L_REFRESH = "org.springframework.cloud.endpoint.event.RefreshEventListener"
L_CFG = "org.springframework.cloud.config.client.ConfigServerConfigDataLoader"
L_HEALTH_MAIL = "org.springframework.boot.actuate.mail.MailHealthIndicator"
L_SQLH = "org.hibernate.engine.jdbc.spi.SqlExceptionHelper"
L_RESOLVER = "org.springframework.web.servlet.mvc.support.DefaultHandlerExceptionResolver"

S_TRACE_HIKARI = (
    "java.sql.SQLTransientConnectionException: " + S_HIKARI + "\n"
    "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:686)\n"
    "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:179)\n"
    "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:144)\n"
    "\tat com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:99)\n"
    "\tat org.hibernate.engine.jdbc.connections.internal.DatasourceConnectionProviderImpl.getConnection(DatasourceConnectionProviderImpl.java:122)\n"
    "\tat org.hibernate.internal.NonContextualJdbcConnectionAccess.obtainConnection(NonContextualJdbcConnectionAccess.java:46)\n"
    "\tat org.hibernate.resource.jdbc.internal.LogicalConnectionManagedImpl.acquireConnectionIfNeeded(LogicalConnectionManagedImpl.java:126)\n"
    "\tat org.hibernate.resource.jdbc.internal.LogicalConnectionManagedImpl.getPhysicalConnection(LogicalConnectionManagedImpl.java:156)\n"
    "\tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.beginTransaction(HibernateJpaDialect.java:164)\n"
    "\tat org.springframework.orm.jpa.JpaTransactionManager.doBegin(JpaTransactionManager.java:420)\n"
    "\tat org.springframework.transaction.support.AbstractPlatformTransactionManager.startTransaction(AbstractPlatformTransactionManager.java:532)\n"
    "\tat org.springframework.transaction.interceptor.TransactionAspectSupport.invokeWithinTransaction(TransactionAspectSupport.java:391)\n"
    "\tat org.springframework.aop.framework.CglibAopProxy$DynamicAdvisedInterceptor.intercept(CglibAopProxy.java:717)\n"
    "\tat com.example.orders.service.OrderService$$SpringCGLIB$$0.{method}(<generated>)\n"
    "\tat com.example.orders.web.OrderController.{ctl}(OrderController.java:{line})\n"
    "\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)\n"
    "\tat org.springframework.web.servlet.FrameworkServlet.processRequest(FrameworkServlet.java:1011)\n"
    "\tat org.apache.tomcat.util.threads.TaskThread$WrappingRunnable.run(TaskThread.java:61)\n"
    "\tat java.base/java.lang.Thread.run(Thread.java:840)")

S_TRACE_KAFKA = (
    "org.springframework.kafka.listener.ListenerExecutionFailedException: Listener method 'public void "
    "com.example.orders.inventory.InventoryEventListener.onEvent(com.example.orders.inventory.InventoryEvent)' threw exception\n"
    "\tat org.springframework.kafka.listener.KafkaMessageListenerContainer$ListenerConsumer.decorateException(KafkaMessageListenerContainer.java:2918)\n"
    "\tat org.springframework.kafka.listener.KafkaMessageListenerContainer$ListenerConsumer.doInvokeOnMessage(KafkaMessageListenerContainer.java:2845)\n"
    "\tat org.springframework.kafka.listener.KafkaMessageListenerContainer$ListenerConsumer.pollAndInvoke(KafkaMessageListenerContainer.java:1380)\n"
    "\tat java.base/java.lang.Thread.run(Thread.java:840)\n"
    "Caused by: org.springframework.transaction.CannotCreateTransactionException: Could not open JPA EntityManager for transaction\n"
    "\tat org.springframework.orm.jpa.JpaTransactionManager.doBegin(JpaTransactionManager.java:466)\n"
    "\tat org.springframework.transaction.support.AbstractPlatformTransactionManager.startTransaction(AbstractPlatformTransactionManager.java:532)\n"
    "\tat com.example.orders.inventory.InventoryEventListener.onEvent(InventoryEventListener.java:41)\n"
    "\t... 14 common frames omitted\n"
    "Caused by: org.hibernate.exception.JDBCConnectionException: Unable to acquire JDBC Connection [" + S_HIKARI + "] [n/a]\n"
    "\tat org.hibernate.exception.internal.SQLStateConversionDelegate.convert(SQLStateConversionDelegate.java:100)\n"
    "\tat org.hibernate.resource.jdbc.internal.LogicalConnectionManagedImpl.acquireConnectionIfNeeded(LogicalConnectionManagedImpl.java:116)\n"
    "\t... 22 common frames omitted\n"
    "Caused by: java.sql.SQLTransientConnectionException: " + S_HIKARI + "\n"
    "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:686)\n"
    "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:179)\n"
    "\tat com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:99)\n"
    "\t... 27 common frames omitted")

S_TRACE_TAX = (
    "org.springframework.web.client.ResourceAccessException: I/O error on POST request for \"" + S_TAX + "\": PKIX path building "
    "failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target\n"
    "\tat org.springframework.web.client.RestTemplate.createResourceAccessException(RestTemplate.java:915)\n"
    "\tat org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:895)\n"
    "\tat org.springframework.web.client.RestTemplate.postForObject(RestTemplate.java:472)\n"
    "\tat com.example.orders.tax.TaxClient.quote(TaxClient.java:52)\n"
    "\tat com.example.orders.service.OrderService.placeOrder(OrderService.java:88)\n"
    "\t... 2 frames truncated\n"
    "Caused by: javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: "
    "unable to find valid certification path to requested target\n"
    "\tat java.base/sun.security.ssl.Alert.createSSLException(Alert.java:131)\n"
    "\tat java.base/sun.security.ssl.TransportContext.fatal(TransportContext.java:378)\n"
    "\tat java.base/sun.security.ssl.CertificateMessage$T13CertificateConsumer.checkServerCerts(CertificateMessage.java:1357)\n"
    "\tat java.base/sun.security.ssl.SSLSocketImpl.startHandshake(SSLSocketImpl.java:450)\n"
    "\tat org.apache.hc.client5.http.ssl.SSLConnectionSocketFactory.createLayeredSocket(SSLConnectionSocketFactory.java:290)\n"
    "\t... 38 common frames omitted\n"
    "Caused by: sun.security.validator.ValidatorException: PKIX path building failed: "
    "sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target\n"
    "\tat java.base/sun.security.validator.PKIXValidator.doBuild(PKIXValidator.java:439)\n"
    "\tat java.base/sun.security.validator.PKIXValidator.engineValidate(PKIXValidator.java:306)\n"
    "\tat java.base/sun.security.validator.Validator.validate(Validator.java:264)\n"
    "\t... 57 common frames omitted\n"
    "Caused by: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target\n"
    "\tat java.base/sun.security.provider.certpath.SunCertPathBuilder.build(SunCertPathBuilder.java:148)\n"
    "\tat java.base/sun.security.provider.certpath.SunCertPathBuilder.engineBuild(SunCertPathBuilder.java:129)\n"
    "\tat java.base/java.security.cert.CertPathBuilder.build(CertPathBuilder.java:297)\n"
    "\t... 62 common frames omitted")

S_TRACE_LEAK = (
    "java.lang.Exception: Apparent connection leak detected\n"
    "\tat com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:127)\n"
    "\tat org.hibernate.engine.jdbc.connections.internal.DatasourceConnectionProviderImpl.getConnection(DatasourceConnectionProviderImpl.java:122)\n"
    "\tat org.springframework.orm.jpa.JpaTransactionManager.doBegin(JpaTransactionManager.java:420)\n"
    "\tat com.example.orders.service.OrderService$$SpringCGLIB$$0.placeOrder(<generated>)\n"
    "\tat com.example.orders.web.OrderController.create(OrderController.java:58)\n"
    "\tat java.base/java.lang.Thread.run(Thread.java:840)")

S_TRACE_MAIL = (
    "org.eclipse.angus.mail.util.MailConnectException: Couldn't connect to host, port: smtp.internal, 25; timeout 5000;\n"
    "  nested exception is:\n"
    "\tjava.net.SocketTimeoutException: Connect timed out\n"
    "\tat org.eclipse.angus.mail.smtp.SMTPTransport.openServer(SMTPTransport.java:2288)\n"
    "\tat org.eclipse.angus.mail.smtp.SMTPTransport.protocolConnect(SMTPTransport.java:753)\n"
    "\tat jakarta.mail.Service.connect(Service.java:342)\n"
    "\tat org.springframework.mail.javamail.JavaMailSenderImpl.connectTransport(JavaMailSenderImpl.java:518)\n"
    "\tat org.springframework.mail.javamail.JavaMailSenderImpl.testConnection(JavaMailSenderImpl.java:398)\n"
    "\tat org.springframework.boot.actuate.mail.MailHealthIndicator.doHealthCheck(MailHealthIndicator.java:50)\n"
    "\tat org.springframework.boot.actuate.health.AbstractHealthIndicator.health(AbstractHealthIndicator.java:82)\n"
    "\tat java.base/java.lang.Thread.run(Thread.java:840)\n"
    "Caused by: java.net.SocketTimeoutException: Connect timed out\n"
    "\tat java.base/sun.nio.ch.NioSocketImpl.timedFinishConnect(NioSocketImpl.java:546)\n"
    "\tat java.base/java.net.Socket.connect(Socket.java:633)\n"
    "\tat org.eclipse.angus.mail.util.SocketFetcher.createSocket(SocketFetcher.java:372)\n"
    "\t... 48 common frames omitted")


def gen_spring():
    rng = random.Random(20240709)
    L = Log()

    def at(d, hh, mm, ss=0.0):
        return datetime(2024, 7, d, hh, mm, tzinfo=UTC) + sec(ss)

    T0, T1 = at(9, 6, 21, 4.0), at(10, 8, 6)
    DEPLOY = at(9, 10, 5, 12.3)
    REFRESH1 = at(9, 13, 58, 11.84)
    PSP_SLOW = at(9, 14, 11, 40.2)
    DEBUG_ON, DEBUG_OFF = at(9, 14, 21, 33.5), at(9, 14, 59, 2.7)
    REFRESH2 = at(9, 14, 33, 40.06)
    PSP_OK = at(9, 14, 56, 10.0)
    TAXCERT = at(10, 0, 0, 0.0)
    STARVE = at(10, 3, 12, 27.9)
    deployed = {}                                   # host -> time 4.12.0 started there
    parts = {h: list(p) for h, p in S_PARTS.items()}
    parts_hist = {h: [(T0, list(p))] for h, p in S_PARTS.items()}
    pid = {"orders-1": 3311, "orders-2": 3287, "orders-3": 3342}
    gen = {"id": 57}
    member = {h: f"consumer-order-service-1-{uuid4(rng)}" for h in S_HOSTS}
    exec_n = {h: 1 for h in S_HOSTS}

    def thread_http(h):
        exec_n[h] = exec_n[h] % 200 + 1 if rng.random() < 0.7 else rng.randint(1, 200)
        return f"http-nio-8080-exec-{exec_n[h]}"

    def ecs(dt, h, level, logger, thread, msg, tpl, mdc=None, err=None):
        r = {"@timestamp": iso_ms(dt), "log.level": level, "message": msg, "ecs.version": "1.2.0", "service.name": "order-service",
             "service.version": "4.12.0" if h in deployed and dt >= deployed[h] else "4.11.2", "service.environment": "prod", "event.dataset": "order-service",
             "process.thread.name": thread, "log.logger": logger}
        if mdc:
            r.update(mdc)
        if err:
            r["error.type"], r["error.message"], r["error.stack_trace"] = err
        r["log.file.path"] = S_APP_LOG
        r["hostname"] = h
        r["timestamp"] = iso_ms(dt)
        L.add(dt, tpl, r)

    def access(dt, h, verb, path, status, size, ms, tpl, ip=None):
        ip = ip or rng.choice(S_LB)
        text = f'{ip} - - [{dt.strftime("%d/%b/%Y:%H:%M:%S")} +0000] "{verb} {path} HTTP/1.1" {status} {size} {ms}'
        L.add(dt, tpl, {"log.file.path": f"/opt/order-service/tomcat/logs/access_log.{dt.strftime('%Y-%m-%d')}.log", "hostname": h,
                        "message": text, "timestamp": iso_ms(dt)})

    def trace():
        return {"trace.id": hexs(rng, 32), "transaction.id": hexs(rng, 16)}

    def kc(h):
        return "[Consumer clientId=consumer-order-service-1, groupId=order-service] "

    KT = "org.springframework.kafka.KafkaListenerEndpointContainer#0-0-C-1"
    HB = "kafka-coordinator-heartbeat-thread | order-service"

    # ---- state: which instance is up, pool state, breaker state
    down = {h: [] for h in S_HOSTS}
    exhausted = {}          # host -> (start, end) of pool exhaustion
    breaker = {h: [] for h in S_HOSTS}     # (start, end) while OPEN

    def read_timeout(t):
        return 30 if REFRESH1 + sec(0.5) <= t < REFRESH2 + sec(0.5) else 2

    def psp_latency(t):
        if PSP_SLOW <= t < PSP_OK:
            return rng.uniform(18.0, 29.0)
        return rng.lognormvariate(-1.2, 0.45)     # ~0.3 s

    def pool_dry(h, t):
        w = exhausted.get(h)
        return w is not None and w[0] <= t < w[1]

    def cb_open(h, t):
        return inside(t, breaker[h])

    def members_up(t):
        return [h for h in S_HOSTS if not inside(t, down[h])]

    # ---- rebalance: every member that is up revokes and gets a new assignment
    def rebalance(t, reason_host=None, leaving=None):
        gen["id"] += 1
        g = gen["id"]
        hs = [h for h in members_up(t) if h != leaving]
        if not hs:
            return
        allp = list(range(6))
        share = {h: allp[k * 6 // len(hs):(k + 1) * 6 // len(hs)] for k, h in enumerate(hs)}
        leader = hs[0]
        for h in hs:
            tt = t + sec(rng.uniform(0.01, 0.4))
            ecs(tt, h, "INFO", L_ACOORD, KT, kc(h) + "Request joining group due to: group is already rebalancing", "s_k_request_join")
            tt += sec(rng.uniform(0.005, 0.05))
            ecs(tt, h, "INFO", L_COORD, KT, kc(h) + "Revoke previously assigned partitions " +
                ", ".join(f"inventory-events-{p}" for p in parts[h]), "s_k_revoke")
            ecs(tt + sec(0.001), h, "INFO", L_CONTAINER, KT, "order-service: partitions revoked: [" +
                ", ".join(f"inventory-events-{p}" for p in parts[h]) + "]", "s_k_revoked")
            tt += sec(rng.uniform(0.3, 3.1))
            ecs(tt, h, "INFO", L_ACOORD, KT, kc(h) + f"Successfully joined group with generation Generation{{generationId={g}, "
                f"memberId='{member[h]}', protocol='range'}}", "s_k_joined")
            if h == leader:
                asg = ", ".join(f"{member[x]}=Assignment(partitions=[" + ", ".join(f"inventory-events-{p}" for p in share[x]) + "])"
                                for x in hs)
                ecs(tt + sec(0.004), h, "INFO", L_COORD, KT, kc(h) + f"Finished assignment for group at generation {g}: {{{asg}}}",
                    "s_k_finished")
            tt += sec(rng.uniform(0.01, 0.08))
            parts[h] = share[h]
            parts_hist[h].append((tt, list(share[h])))
            ecs(tt, h, "INFO", L_COORD, KT, kc(h) + "Adding newly assigned partitions: " +
                ", ".join(f"inventory-events-{p}" for p in share[h]), "s_k_adding")
            ecs(tt + sec(0.002), h, "INFO", L_CONTAINER, KT, "order-service: partitions assigned: [" +
                ", ".join(f"inventory-events-{p}" for p in share[h]) + "]", "s_k_assigned")

    # ---- the rolling deploy of 4.12.0 (10:05): stop, start, rebalance
    def startup(t, h, v):
        deployed[h] = t
        pid[h] = rng.randint(3000, 3999)
        m = "main"
        lines = [
            ("org.springframework.boot.StartupInfoLogger", f"Starting OrderServiceApplication v{v} using Java 17.0.11 with PID {pid[h]} "
             f"(/opt/order-service/order-service.jar started by orders in /opt/order-service)", "s_start"),
            ("org.springframework.boot.SpringApplication", 'The following 1 profile is active: "prod"', "s_profile"),
            (L_CFG, "Fetching config from server at : http://config-server.internal:8888", "s_cfg_fetch"),
            (L_CFG, "Located environment: name=order-service, profiles=[prod], label=main, version=3b7e91c04d2a5f6e8190b3c7d4e5f6a7b8c9d0e1, "
                    "state=null", "s_cfg_located"),
            ("org.springframework.boot.web.embedded.tomcat.TomcatWebServer", "Tomcat initialized with port 8080 (http)", "s_tomcat_init"),
            ("org.apache.catalina.core.StandardService", "Starting service [Tomcat]", "s_tomcat_service"),
            ("org.apache.catalina.core.StandardEngine", "Starting Servlet engine: [Apache Tomcat/10.1.24]", "s_tomcat_engine"),
            ("org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext",
             f"Root WebApplicationContext: initialization completed in {rng.randint(1500, 2300)} ms", "s_ctx_init"),
            ("org.hibernate.Version", "HHH000412: Hibernate ORM core version 6.4.9.Final", "s_hibernate"),
            (L_HIKARI, "HikariPool-1 - Starting...", "s_hikari_starting"),
            (L_POOL, f"HikariPool-1 - Added connection org.postgresql.jdbc.PgConnection@{hexs(rng, 8).lstrip('0')}", "s_hikari_added"),
            (L_HIKARI, "HikariPool-1 - Start completed.", "s_hikari_started"),
            ("org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean",
             "Initialized JPA EntityManagerFactory for persistence unit 'default'", "s_jpa"),
            (L_PAYCFG, "Creating payment gateway client: baseUrl=https://api.paygate.example/v2, connectTimeout=PT1S, readTimeout=PT2S",
             "s_payclient"),
            ("org.springframework.boot.actuate.endpoint.web.EndpointLinksResolver", "Exposing 5 endpoint(s) beneath base path '/actuator'",
             "s_actuator"),
            ("org.springframework.boot.web.embedded.tomcat.TomcatWebServer", "Tomcat started on port 8080 (http) with context path ''",
             "s_tomcat_started"),
            ("org.apache.kafka.common.utils.AppInfoParser", "Kafka version: 3.6.2", "s_kafka_version"),
            ("org.apache.kafka.clients.consumer.KafkaConsumer", kc(h) + "Subscribed to topic(s): inventory-events", "s_k_subscribed"),
            ("org.springframework.boot.StartupInfoLogger",
             f"Started OrderServiceApplication in {rng.uniform(8.5, 10.5):.3f} seconds (process running for {rng.uniform(10.6, 11.9):.3f})",
             "s_started")]
        for logger, msg, tpl in lines:
            ecs(t, h, "INFO", logger, m, msg, tpl)
            t += sec(rng.uniform(0.05, 0.9))
        return t

    def shutdown(t, h):
        ecs(t, h, "INFO", "org.springframework.boot.web.embedded.tomcat.GracefulShutdown", "SpringApplicationShutdownHook",
            "Commencing graceful shutdown. Waiting for active requests to complete", "s_graceful")
        ecs(t + sec(0.21), h, "INFO", "org.springframework.boot.web.embedded.tomcat.GracefulShutdown", "tomcat-shutdown",
            "Graceful shutdown complete",
            "s_graceful_done")
        ecs(t + sec(0.4), h, "INFO", L_ACOORD, KT, kc(h) + f"Member {member[h]} sending LeaveGroup request to coordinator "
            f"kafka-2.internal:9092 (id: 2147483645 rack: null) due to the consumer is being closed", "s_k_leave")
        ecs(t + sec(0.7), h, "INFO", L_HIKARI, "SpringApplicationShutdownHook", "HikariPool-1 - Shutdown initiated...", "s_hikari_shut")
        ecs(t + sec(0.74), h, "INFO", L_HIKARI, "SpringApplicationShutdownHook", "HikariPool-1 - Shutdown completed.", "s_hikari_shut_done")

    t = DEPLOY
    for h in S_HOSTS:
        shutdown(t, h)
        rebalance(t + sec(0.9), leaving=h)
        down[h].append((t, t + sec(14)))
        member[h] = f"consumer-order-service-1-{uuid4(rng)}"
        t2 = startup(t + sec(3.2), h, "4.12.0")
        rebalance(t2 + sec(0.5))
        t = t2 + sec(rng.uniform(95, 130))

    # ---- the config change (13:58) and its revert (14:33)
    def refresh(t0, seconds):
        for k, h in enumerate(S_HOSTS):
            t = t0 + sec(k * rng.uniform(4, 9))
            th = thread_http(h)
            ecs(t + sec(0.02), h, "INFO", L_CFG, th, "Fetching config from server at : http://config-server.internal:8888", "s_cfg_fetch")
            vv = "9c1e0f4b7d2a46e5a1f3c8b9e0d7a6c5b4f3e2d1" if seconds == 30 else "e41d7a90c3b25f8e6d1c0b9a8f7e6d5c4b3a2f10"
            ecs(t + sec(0.31), h, "INFO", L_CFG, th, f"Located environment: name=order-service, profiles=[prod], label=main, version={vv}, "
                                                       "state=null", "s_cfg_located")
            ecs(t + sec(0.52), h, "INFO", L_PAYCFG, th, "Creating payment gateway client: baseUrl=https://api.paygate.example/v2, "
                f"connectTimeout=PT1S, readTimeout=PT{seconds}S", "s_payclient")
            ecs(t + sec(0.55), h, "INFO", L_REFRESH, th, "Refresh keys changed: [payment.client.read-timeout]", "s_refresh_keys")
            access(t + sec(0.56), h, "POST", "/actuator/refresh", 200, 33, rng.randint(520, 640), "s_a_refresh", ip=S_OPS_IP)

    refresh(REFRESH1, 30)
    refresh(REFRESH2, 2)

    # pool exhaustion per host: a few slow charges in, the pool is dry; after the revert the slow calls drain
    for k, h in enumerate(S_HOSTS):
        exhausted[h] = (PSP_SLOW + sec(142 + 27 * k + rng.uniform(0, 9)), REFRESH2 + sec(31 + rng.uniform(0, 4)))

    # breaker: opens shortly after the revert; OPEN 120 s, HALF_OPEN probes fail until the gateway is fast again
    for k, h in enumerate(S_HOSTS):
        t = REFRESH2 + sec(38 + 11 * k + rng.uniform(0, 6))
        ecs(t, h, "WARN", L_CB, thread_http(h), "CircuitBreaker 'paymentGateway' changed state from CLOSED to OPEN", "s_cb_open")
        while True:
            end = t + sec(120)
            breaker[h].append((t, end))
            ecs(end, h, "INFO", L_CB, "parallel-2", "CircuitBreaker 'paymentGateway' changed state from OPEN to HALF_OPEN", "s_cb_half")
            probe = end + sec(rng.uniform(2, 15))
            if probe + sec(0.3) >= PSP_OK:
                ecs(probe + sec(0.35), h, "INFO", L_CB, thread_http(h), "CircuitBreaker 'paymentGateway' changed state from HALF_OPEN to "
                    "CLOSED", "s_cb_closed")
                break
            t = probe + sec(2.0 + rng.uniform(0.001, 0.2))
            ecs(t, h, "WARN", L_CB, thread_http(h), "CircuitBreaker 'paymentGateway' changed state from HALF_OPEN to OPEN",
                "s_cb_reopen")

    # ---- requests
    oid = {"n": 481220}
    conn_ids = {h: [hexs(rng, 8).lstrip("0") for _ in range(10)] for h in S_HOSTS}
    timeouts = {h: [] for h in S_HOSTS}

    def hikari_fail(t, h, verb, path, method, ctl, line_no, th):
        ecs(t, h, "ERROR", L_TOMCAT, th, S_SERVLET, "s_servlet_hikari", mdc=trace(),
            err=("java.sql.SQLTransientConnectionException", S_HIKARI,
                 S_TRACE_HIKARI.replace("{method}", method).replace("{ctl}", ctl).replace("{line}", str(line_no))))
        timeouts[h].append(t)
        access(t + sec(0.004), h, verb, path, 500, 147, rng.randint(30001, 30019), "s_a_500")

    def place_order(t, h):
        oid["n"] += rng.randint(1, 4)
        o = oid["n"]
        th = thread_http(h)
        tr = trace()
        path = "/api/orders"
        if pool_dry(h, t):
            if rng.random() < 0.7:
                hikari_fail(t + sec(30.0 + rng.uniform(0.001, 0.02)), h, "POST", path, "placeOrder", "create", 58, th)
                return
            t = t + sec(rng.uniform(1.0, 25.0))     # got a connection that another order gave back
        if cb_open(h, t):
            ecs(t + sec(rng.uniform(0.02, 0.05)), h, "WARN", L_PAY, th, f"Payment unavailable for order {o}: CircuitBreaker "
                "'paymentGateway' is OPEN and does not permit further calls", "s_pay_cb", mdc=dict(tr, **{"order.id": str(o)}))
            access(t + sec(0.06), h, "POST", path, 503, 96, rng.randint(40, 70), "s_a_order_503")
            return
        lat = psp_latency(t)
        rt = read_timeout(t)
        hold = min(lat, rt) + rng.uniform(0.03, 0.09)
        if hold > 20.0:
            c = rng.choice(conn_ids[h])
            ecs(t + sec(20.0 + rng.uniform(0.0, 0.01)), h, "WARN", L_LEAK, "HikariPool-1 housekeeper",
                f"Connection leak detection triggered for org.postgresql.jdbc.PgConnection@{c} on thread {th}, stack trace follows",
                "s_leak", err=("java.lang.Exception", "Apparent connection leak detected", S_TRACE_LEAK))
            if lat < rt:
                ecs(t + sec(hold + 0.002), h, "INFO", L_LEAK, th, f"Previously reported leaked connection org.postgresql.jdbc.PgConnection@{c} "
                    f"on thread {th} was returned to the pool (unleaked)", "s_unleaked")
        if lat >= rt:
            ecs(t + sec(rt + 0.02), h, "WARN", L_PAY, th, f"Payment call failed for order {o}: I/O error on POST request for \"{S_PSP}\": "
                "Read timed out", "s_pay_timeout", mdc=dict(tr, **{"order.id": str(o)}))
            access(t + sec(rt + 0.05), h, "POST", path, 502, 118, int((rt + 0.05) * 1000), "s_a_order_502")
            return
        if t >= TAXCERT and rng.random() < 0.45:
            ecs(t + sec(0.09), h, "WARN", L_TAX, th, "Tax quote failed, using fallback rate", "s_tax_fail",
                mdc=dict(tr, **{"order.id": str(o)}),
                err=("org.springframework.web.client.ResourceAccessException",
                     f"I/O error on POST request for \"{S_TAX}\": PKIX path building failed: sun.security.provider.certpath."
                     "SunCertPathBuilderException: unable to find valid certification path to requested target", S_TRACE_TAX))
        cid = rng.randint(10000, 99999)
        n = rng.randint(1, 6)
        total = rng.randint(900, 24000) / 100
        cur = rng.choice(["EUR", "EUR", "EUR", "GBP", "SEK"])
        ecs(t + sec(hold), h, "INFO", L_ORDER, th, f"Order {o} placed for customer {cid}: {n} item(s), total={cur} {total:.2f}, "
            f"charge=ch_{alnum(rng, 24)}", "s_order_placed", mdc=dict(tr, **{"order.id": str(o)}))
        access(t + sec(hold + 0.004), h, "POST", path, 201, rng.randint(380, 460), int(hold * 1000) + rng.randint(8, 40), "s_a_order_201")

    def view_order(t, h):
        o = oid["n"] - rng.randint(0, 4000)
        th = thread_http(h)
        if pool_dry(h, t):
            hikari_fail(t + sec(30.0 + rng.uniform(0.001, 0.02)), h, "GET", f"/api/orders/{o}", "findOrder", "get", 71, th)
            return
        if rng.random() < 0.04:
            access(t + sec(0.01), h, "GET", f"/api/orders/{o}", 404, 0, rng.randint(4, 11), "s_a_view_404")
            return
        access(t + sec(0.01), h, "GET", f"/api/orders/{o}", 200, rng.randint(900, 2400), rng.randint(6, 30), "s_a_view")

    def list_orders(t, h):
        cid = rng.randint(10000, 99999)
        th = thread_http(h)
        if pool_dry(h, t):
            hikari_fail(t + sec(30.0 + rng.uniform(0.001, 0.02)), h, "GET", f"/api/orders?customerId={cid}&page=0&size=20",
                        "findByCustomer", "list", 84, th)
            return
        access(t + sec(0.02), h, "GET", f"/api/orders?customerId={cid}&page=0&size=20", 200, rng.randint(300, 9000),
               rng.randint(12, 80), "s_a_list")

    def rate_shape(t):
        return day_shape(t)

    for h in S_HOSTS:
        for t in poisson(rng, T0, T1, 5.0, rate_shape):
            if not inside(t, down[h]):
                place_order(t, h)
        # lunch-time peak: more orders while the gateway is slow (scaled down)
        for t in poisson(rng, at(9, 14, 0), at(9, 15, 10), 44.0):
            place_order(t, h)
        for t in poisson(rng, T0, T1, 5.0, rate_shape):
            if not inside(t, down[h]):
                view_order(t, h)
        for t in poisson(rng, at(9, 14, 0), at(9, 15, 10), 14.0):
            view_order(t, h)
        for t in poisson(rng, T0, T1, 1.6, rate_shape):
            if not inside(t, down[h]):
                list_orders(t, h)

    # ---- DEBUG for com.zaxxer.hikari on orders-1 while the team looks at the pool
    h = "orders-1"
    access(DEBUG_ON, h, "POST", "/actuator/loggers/com.zaxxer.hikari", 204, 0, 9, "s_a_loggers", ip=S_OPS_IP)
    access(DEBUG_OFF, h, "POST", "/actuator/loggers/com.zaxxer.hikari", 204, 0, 7, "s_a_loggers", ip=S_OPS_IP)
    t = DEBUG_ON + sec(rng.uniform(3, 29))
    while t < DEBUG_OFF:
        if pool_dry(h, t):
            act, idle, wait = 10, 0, rng.randint(30, 48)
        else:
            act = rng.randint(0, 3)
            idle, wait = 10 - act, 0
        ecs(t, h, "DEBUG", L_POOL, "HikariPool-1 housekeeper", f"HikariPool-1 - Before cleanup stats (total=10, active={act}, idle={idle}, "
            f"waiting={wait})", "s_hk_before")
        ecs(t + sec(0.001), h, "DEBUG", L_POOL, "HikariPool-1 housekeeper", f"HikariPool-1 - After cleanup  stats (total=10, active={act}, "
            f"idle={idle}, waiting={wait})", "s_hk_after")
        t += sec(30.0 + rng.uniform(-0.01, 0.01))
    for tt in timeouts[h]:
        if DEBUG_ON <= tt < DEBUG_OFF:
            ecs(tt - sec(0.001), h, "DEBUG", L_POOL, thread_http(h), f"HikariPool-1 - Timeout failure stats (total=10, active=10, idle=0, "
                f"waiting={rng.randint(29, 47)})", "s_hk_timeout")

    # ---- Kafka: while the pool is dry the listener's retries exceed max.poll.interval.ms; the consumer is kicked out
    stuck = {}
    for h in S_HOSTS:
        if h in exhausted:
            a, b = exhausted[h]
            stuck[h] = a
            tp = a + sec(300.0 + rng.uniform(1.0, 3.0))
            ecs(tp, h, "WARN", L_ACOORD, HB, kc(h) + S_POLL, "s_k_poll_timeout")
            ecs(tp + sec(0.002), h, "INFO", L_ACOORD, HB, kc(h) + f"Member {member[h]} sending LeaveGroup request to coordinator "
                "kafka-2.internal:9092 (id: 2147483645 rack: null) due to consumer poll timeout has expired.", "s_k_leave_poll")
            down_k = (tp, tp + sec(1))
            down[h].append(down_k)
            rebalance(tp + sec(0.2), leaving=h)
            tc = tp + sec(rng.uniform(20, 30))
            ecs(tc, h, "ERROR", L_CONTAINER, KT, "Consumer exception", "s_k_commit_failed",
                err=("org.apache.kafka.clients.consumer.CommitFailedException",
                     "Offset commit cannot be completed since the consumer is not part of an active group for auto partition assignment; "
                     "it is likely that the consumer was kicked out of the group.",
                     "org.apache.kafka.clients.consumer.CommitFailedException: Offset commit cannot be completed since the consumer is not "
                     "part of an active group for auto partition assignment; it is likely that the consumer was kicked out of the group.\n"
                     "\tat org.apache.kafka.clients.consumer.internals.ConsumerCoordinator.sendOffsetCommitRequest(ConsumerCoordinator.java:1351)\n"
                     "\tat org.apache.kafka.clients.consumer.internals.ConsumerCoordinator.commitOffsetsSync(ConsumerCoordinator.java:1188)\n"
                     "\tat org.apache.kafka.clients.consumer.KafkaConsumer.commitSync(KafkaConsumer.java:1518)\n"
                     "\tat org.springframework.kafka.listener.KafkaMessageListenerContainer$ListenerConsumer.doCommitSync(KafkaMessageListenerContainer.java:3277)\n"
                     "\tat java.base/java.lang.Thread.run(Thread.java:840)"))
            member[h] = f"consumer-order-service-1-{uuid4(rng)}"
            rebalance(tc + sec(0.5))

    # ---- Kafka: inventory events, in time order over all instances (offsets per partition grow)
    offs = {p: rng.randint(1830000, 1850000) for p in range(6)}
    offs_hist = {p: [] for p in range(6)}
    arrivals = []
    for h in S_HOSTS:
        arrivals += [(t, h) for t in poisson(rng, T0, T1, 3.2, rate_shape)]
    arrivals.sort()
    for t, h in arrivals:
        if inside(t, down[h]) or pool_dry(h, t):
            continue
        cur = [pp for tt, pp in parts_hist[h] if tt <= t][-1]
        if not cur:
            continue
        p = rng.choice(cur)
        offs[p] += rng.randint(1, 60)
        offs_hist[p].append((t, offs[p]))
        sku = f"SKU-{rng.randint(10000, 99999)}"
        ev = rng.choice(["StockReserved", "StockReserved", "StockReleased", "StockAdjusted"])
        ecs(t, h, "INFO", L_INV, KT, f"Applied inventory event {ev} for {sku} (partition {p}, offset {offs[p]})", "s_inv_applied")
    for h, a in stuck.items():
        p = [pp for tt, pp in parts_hist[h] if tt <= a][-1][0]
        off = [o for tt, o in offs_hist[p] if tt <= a][-1] + 1
        ecs(a + sec(299.9 + rng.uniform(0, 1)), h, "ERROR", L_ERRH, KT, f"Backoff FixedBackOff{{interval=0, currentAttempts=10, "
            f"maxAttempts=9}} exhausted for inventory-events-{p}@{off}", "s_k_backoff",
            err=("org.springframework.kafka.listener.ListenerExecutionFailedException",
                 "Listener method 'public void com.example.orders.inventory.InventoryEventListener.onEvent(com.example.orders."
                 "inventory.InventoryEvent)' threw exception", S_TRACE_KAFKA))

    # ---- actuator health polled by the monitoring box: the mail indicator fails every time -> 503
    for h in S_HOSTS:
        t = T0 + sec(rng.uniform(0, 1800))
        while t < T1:
            if not inside(t, down[h]):
                ecs(t + sec(5.0), h, "WARN", L_HEALTH_MAIL, thread_http(h), "Mail health check failed", "s_mail_health",
                    err=("org.eclipse.angus.mail.util.MailConnectException",
                         "Couldn't connect to host, port: smtp.internal, 25; timeout 5000", S_TRACE_MAIL))
                access(t + sec(5.01), h, "GET", "/actuator/health", 503, rng.choice([412, 413, 415]), rng.randint(5003, 5019), "s_a_health",
                       ip=S_MON_IP)
            t += sec(1800 + rng.uniform(-3, 3))

    # ---- noise: bots, duplicate-key retries, stale connections, one clock leap, occasional slow payment call
    for h in S_HOSTS:
        for t in poisson(rng, T0, T1, 0.5):
            path = rng.choice(["/wp-login.php", "/.env", "/actuator/env", "/.git/config", "/phpmyadmin/index.php", "/api/v1/../../etc/passwd"])
            if path == "/actuator/env":
                access(t, h, "GET", path, 404, 0, 2, "s_a_bot")
                continue
            ecs(t, h, "WARN", L_RESOLVER, thread_http(h), f"Resolved [org.springframework.web.servlet.resource.NoResourceFoundException: "
                f"No static resource {path.lstrip('/')}.]", "s_no_resource")
            access(t + sec(0.001), h, "GET", path, 404, 0, rng.randint(2, 6), "s_a_bot")
        for t in poisson(rng, T0, T1, 0.12):
            th = thread_http(h)
            key = uuid4(rng)
            ecs(t, h, "WARN", L_SQLH, th, "SQL Error: 0, SQLState: 23505", "s_sql_state", mdc=trace())
            ecs(t + sec(0.001), h, "ERROR", L_SQLH, th, "ERROR: duplicate key value violates unique constraint \"uk_orders_idempotency_key\"\n"
                f"  Detail: Key (idempotency_key)=({key}) already exists.", "s_sql_dup", mdc=trace())
            access(t + sec(0.01), h, "POST", "/api/orders", 409, 121, rng.randint(15, 40), "s_a_409")
        for t in poisson(rng, T0, T1, 0.1):
            c = rng.choice(conn_ids[h])
            ecs(t, h, "WARN", L_PBASE, thread_http(h), f"HikariPool-1 - Failed to validate connection org.postgresql.jdbc.PgConnection@{c} "
                "(This connection has been closed.). Possibly consider using a shorter maxLifetime value.", "s_hikari_validate")
    ecs(STARVE, "orders-3", "WARN", L_POOL, "HikariPool-1 housekeeper", "HikariPool-1 - Thread starvation or clock leap detected "
        "(housekeeper delta=1m4s213ms).", "s_hikari_starve")
    return L.build()


def facts_spring(records):
    def hik(r):
        return S_HIKARI in (r.get("error.message") or "") and r["message"] == S_SERVLET

    errs = [r for r in records if hik(r)]
    first_per_host = {}
    for r in errs:
        first_per_host.setdefault(r["hostname"], r["timestamp"])
    leaks = [r["timestamp"] for r in records if r["message"].startswith("Connection leak detection triggered")]
    refresh = [r["timestamp"] for r in records if r["message"].startswith("Refresh keys changed")]
    tax = [r["timestamp"] for r in records if r["message"] == "Tax quote failed, using fallback rate"]
    return {"first_err": errs[0]["timestamp"], "last_err": errs[-1]["timestamp"], "n_err": len(errs),
            "first_per_host": dict(sorted(first_per_host.items())), "leak_first": leaks[0], "leak_cut": leaks[5],
            "refresh1": refresh[0], "refresh2": refresh[3], "n_tax": len(tax), "tax_first": tax[0]}


SPRING_PROBLEM = [{"field": {"log.level": "WARN|ERROR"}}]


def questions_spring(f):
    def problems(since, until):
        return [dict(r, since=since, until=until) for r in SPRING_PROBLEM]

    return [
        q("broad",
          "orders api is 500ing and checkout just spins since about quarter past two. what went wrong between 14:14 and 14:16 utc on jul 9?",
          ["Connection is not available", "HikariPool-1"],
          problems("2024-07-09T14:14:00Z", "2024-07-09T14:16:00Z")),
        q("lexical",
          "is the 'request timed out after 30000ms' thing on all three boxes or just one of them?",
          ["orders-3", "SQLTransientConnectionException"],
          [{"field": {"hostname": re.escape(h), "error.message": r".*request timed out after 30000ms.*"}, "until": plus(ts, 0.001)}
           for h, ts in f["first_per_host"].items()]),
        q("follow-up",
          "what changed before that? did anyone touch teh config or deploy anything this afternoon",
          ["payment.client.read-timeout", "PT30S"],
          {"msg": r"^Refresh keys changed|readTimeout=PT30S|\"POST /actuator/refresh ", "since": "2024-07-09T12:00:00Z",
           "until": f["first_err"]}),
        q("paraphrase",
          "so requests are sitting on a db handle for ages while they wait on the card processor?",
          ["leak detection", "PgConnection"],
          {"msg": r"^Connection leak detection triggered", "until": plus(f["leak_cut"], 0.001)}),
        q("follow-up",
          "they put the timeout back a bit ago. did it recover after that or is it still happening?",
          ["HALF_OPEN to CLOSED", "readTimeout=PT2S"],
          [{"msg": r"^Refresh keys changed|readTimeout=PT2S", "since": plus(f["refresh2"], -1), "until": plus(f["refresh2"], 60)},
           {"msg": r"changed state from (CLOSED to OPEN|HALF_OPEN to CLOSED)"},
           {"msg": re.escape(S_SERVLET), "since": f["last_err"]}]),
        q("lexical",
          "unrelated: finance says overnight orders got the fallback tax instead of a quote from tax-api.internal:8443. since when, and how "
          "often?",
          ["PKIX path building failed", "Tax quote failed"],
          {"msg": r"^Tax quote failed, using fallback rate$"}),
    ]


# =============================================================================================
# 2. netdev: a small data centre's network, every device logging by syslog to a syslog-ng 4 relay
#    that writes JSON with format-json (scope rfc3164 plus a few macros and the name-value pairs
#    of cisco-parser(); format-json turns the leading dot of `.cisco.*` into `_cisco`): `DATE`,
#    `FACILITY`, `HOST`, `HOST_FROM`, `ISODATE`, `MESSAGE`, `PID`, `PRIORITY`, `PROGRAM`,
#    `SOURCEIP`, `_cisco` {facility, severity, mnemonic}; empty macros are left out (Cisco lines
#    have no PROGRAM/PID). Two pairs are added in the template: `timestamp` (the time in UTC with
#    Z) and `message` (`PROGRAM[PID]: MESSAGE` as a syslog file would show it, or MESSAGE alone
#    when there is no PROGRAM).
#    Devices: core-1/core-2 (Catalyst 9500, IOS-XE 17.9), leaf-1..4 (Nexus 93180, NX-OS 10.3),
#    edge-1/edge-2 (MX204, Junos 22.4), fw-1 (ASA 5555-X, 9.16). core-1 Te1/0/12 (10.0.0.1) <->
#    edge-1 xe-0/1/2 (10.0.0.2) is the primary uplink (eBGP AS 65001 <-> 65010, OSPF area 0);
#    core-2 <-> edge-2 the backup. edge-1 peers with transit A (203.0.113.1, AS 64500), edge-2 with
#    transit B (198.51.100.9, AS 64510).
#    Change: at 13:31 on July 16 jmorales shuts Te1/0/12 on core-1, swaps its optic (CHG-20417)
#    and brings it back at 13:39. Fault: the new optic is marginal: from 14:06 the link flaps every
#    few minutes (Rx power alarms, CRC counts from an EEM applet, OSPF and BGP to edge-1 down and
#    up each time, Junos BGP_IO_ERROR_CLOSE_SESSION and SNMP link traps on edge-1); at ~15:01 a
#    burst of flaps trips link-flap err-disable and the link stays down; at 15:41 jmorales puts
#    the old optic back and re-enables the port: OSPF and BGP come up and stay up.
#    Unrelated: at 01:02 on July 17 transit B shuts its session for maintenance (Cease /
#    Administratively Shutdown) and brings it back 25 minutes later.
#    Noise: the ASA's deny lines, oxidized's config backups every two hours (logins on every
#    device), SNMP auth failures from an old poller, server ports flapping on the leaves (one is
#    leaf-3 Ethernet1/12), a leaf config change in the morning.

N_DEV = {"core-1": "10.9.1.1", "core-2": "10.9.1.2", "leaf-1": "10.9.1.11", "leaf-2": "10.9.1.12", "leaf-3": "10.9.1.13",
         "leaf-4": "10.9.1.14", "edge-1": "10.9.1.21", "edge-2": "10.9.1.22", "fw-1": "10.9.1.31"}
N_SEV = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"]
N_TE = "TenGigabitEthernet1/0/12"
N_OXI = "10.9.0.40"
N_JUMP = "10.9.0.15"
N_PID = {"edge-1": {"rpd": 2214, "mib2d": 2101, "mgd": 2087, "chassisd": 2049}, "edge-2": {"rpd": 2231, "mib2d": 2106, "mgd": 2090,
                                                                                         "chassisd": 2051}}


def gen_netdev():
    rng = random.Random(20240716)
    L = Log()

    def at(d, hh, mm, ss=0.0):
        return datetime(2024, 7, d, hh, mm, tzinfo=UTC) + sec(ss)

    T0, T1 = at(16, 5, 47, 12.0), at(17, 7, 31)
    CHG_LOGIN, CHG_SHUT, CHG_OUT, CHG_IN, CHG_NOSHUT = (at(16, 13, 29, 41.2), at(16, 13, 31, 5.6), at(16, 13, 33, 48.0),
                                                        at(16, 13, 37, 12.9), at(16, 13, 39, 2.4))
    FLAP0 = at(16, 14, 6, 21.7)
    ERRDIS = at(16, 15, 1, 44.3)
    FIX_LOGIN, FIX_OUT, FIX_IN, FIX_CFG = at(16, 15, 38, 2.0), at(16, 15, 39, 30.5), at(16, 15, 40, 41.9), at(16, 15, 41, 20.8)
    TB_DOWN, TB_UP = at(17, 1, 2, 17.4), at(17, 1, 27, 40.8)
    LEAF_CFG = at(16, 9, 12, 33.0)

    def dev(dt, host, fac, sev, text, tpl, program=None, pid=None, cisco=None):
        r = {"DATE": dt.strftime("%b %e %H:%M:%S"), "FACILITY": fac, "HOST": host, "HOST_FROM": f"{host}.mgmt.example.net",
             "ISODATE": dt.strftime("%Y-%m-%dT%H:%M:%S+00:00"), "MESSAGE": text}
        if pid is not None:
            r["PID"] = str(pid)
        r["PRIORITY"] = N_SEV[sev]
        if program:
            r["PROGRAM"] = program
        r["SOURCEIP"] = N_DEV[host]
        if cisco:
            r["_cisco"] = cisco
        r["message"] = f"{program}[{pid}]: {text}" if program and pid is not None else (f"{program}: {text}" if program else text)
        r["timestamp"] = iso_ms(dt)
        L.add(dt, tpl, r)

    def ios(dt, host, tag, text, tpl):
        """tag like 'LINK-3-UPDOWN'; IOS-XE and NX-OS both log to local7."""
        fac, sev, mn = tag.split("-", 2)
        dev(dt, host, "local7", int(sev), f"%{tag}: {text}", tpl, cisco={"facility": fac, "severity": sev, "mnemonic": mn})

    def asa(dt, tag, text, tpl):
        fac, sev, mn = tag.split("-", 2)
        dev(dt, "fw-1", "local4", int(sev), f"%{tag}: {text}", tpl, cisco={"facility": fac, "severity": sev, "mnemonic": mn})

    def junos(dt, host, prog, sev, text, tpl, fac="daemon", pid=None):
        dev(dt, host, fac, sev, text, tpl, program=prog, pid=pid if pid is not None else N_PID[host][prog])

    # ---- one bounce of the uplink, seen from both ends
    ospf_up = {"t": None}

    def link_down(t, admin=False, ospf_state="FULL"):
        if admin:
            ios(t, "core-1", "LINK-5-CHANGED", f"Interface {N_TE}, changed state to administratively down", "n_link_admin")
        else:
            ios(t, "core-1", "LINK-3-UPDOWN", f"Interface {N_TE}, changed state to down", "n_link_down")
        ios(t + sec(0.001), "core-1", "LINEPROTO-5-UPDOWN", f"Line protocol on Interface {N_TE}, changed state to down", "n_proto_down")
        if ospf_state:
            ios(t + sec(0.004), "core-1", "OSPF-5-ADJCHG", f"Process 1, Nbr 10.255.0.21 on {N_TE} from {ospf_state} to DOWN, Neighbor Down: "
                "Interface down or detached", "n_ospf_down")
        ios(t + sec(0.009), "core-1", "BGP-5-ADJCHANGE", "neighbor 10.0.0.2 Down Interface flap", "n_bgp_down")
        ios(t + sec(0.011), "core-1", "BGP_SESSION-5-ADJCHANGE", "neighbor 10.0.0.2 IPv4 Unicast topology base removed from session  "
            "Interface flap", "n_bgp_session_down")
        e = t + sec(rng.uniform(0.02, 0.4))
        junos(e, "edge-1", "mib2d", 4, "SNMP_TRAP_LINK_DOWN: ifIndex 533, ifAdminStatus up(1), ifOperStatus down(2), ifName xe-0/1/2",
              "n_j_trap_down")
        if ospf_state:
            junos(e + sec(0.003), "edge-1", "rpd", 5, "RPD_OSPF_NBRDOWN: OSPF neighbor 10.0.0.1 (realm ospf-v2 xe-0/1/2.0 area 0.0.0.0) state "
                  f"changed from {ospf_state.capitalize()} to Down due to KillNbr (event reason: interface went down)", "n_j_ospf_down")
        junos(e + sec(0.006), "edge-1", "rpd", 3, "BGP_IO_ERROR_CLOSE_SESSION: BGP peer 10.0.0.1 (External AS 65001): Error event "
              "Operation timed out(60) for I/O session - closing it", "n_j_bgp_io")
        junos(e + sec(0.008), "edge-1", "rpd", 4, "RPD_BGP_NEIGHBOR_STATE_CHANGED: BGP peer 10.0.0.1 (External AS 65001) changed state "
              "from Established to Idle (event Stop) (instance master)", "n_j_bgp_idle")

    def link_up(t, full=True):
        ios(t, "core-1", "LINK-3-UPDOWN", f"Interface {N_TE}, changed state to up", "n_link_up")
        ios(t + sec(1.0 + rng.uniform(0, 0.01)), "core-1", "LINEPROTO-5-UPDOWN", f"Line protocol on Interface {N_TE}, changed state to up",
            "n_proto_up")
        e = t + sec(rng.uniform(0.02, 0.4))
        junos(e, "edge-1", "mib2d", 6, "SNMP_TRAP_LINK_UP: ifIndex 533, ifAdminStatus up(1), ifOperStatus up(1), ifName xe-0/1/2",
              "n_j_trap_up")
        if not full:
            return None
        tb = t + sec(rng.uniform(9, 31))
        ios(tb, "core-1", "BGP-5-ADJCHANGE", "neighbor 10.0.0.2 Up", "n_bgp_up")
        junos(tb + sec(rng.uniform(0.01, 0.2)), "edge-1", "rpd", 4, "RPD_BGP_NEIGHBOR_STATE_CHANGED: BGP peer 10.0.0.1 (External AS 65001) "
              "changed state from OpenConfirm to Established (event RecvKeepAlive) (instance master)", "n_j_bgp_est")
        to = t + sec(rng.uniform(36, 41))
        ios(to, "core-1", "OSPF-5-ADJCHG", f"Process 1, Nbr 10.255.0.21 on {N_TE} from LOADING to FULL, Loading Done", "n_ospf_full")
        junos(to + sec(rng.uniform(0.01, 0.1)), "edge-1", "rpd", 6, "RPD_OSPF_NBRUP: OSPF neighbor 10.0.0.1 (realm ospf-v2 xe-0/1/2.0 "
              "area 0.0.0.0) state changed from Loading to Full due to LoadDone (event reason: OSPF loading completed)", "n_j_ospf_up")
        return max(tb, to) + sec(1)

    def login_ios(t, host, user, src, port=22):
        ios(t, host, "SEC_LOGIN-5-LOGIN_SUCCESS", f"Login Success [user: {user}] [Source: {src}] [localport: {port}] at "
            f"{t.strftime('%H:%M:%S')} UTC {t.strftime('%a %b %d %Y')}", "n_login_ok")

    # ---- the change (13:29-13:39)
    login_ios(CHG_LOGIN, "core-1", "jmorales", N_JUMP)
    ios(CHG_SHUT + sec(0.4), "core-1", "SYS-5-CONFIG_I", f"Configured from console by jmorales on vty0 ({N_JUMP})", "n_config_i")
    link_down(CHG_SHUT, admin=True)
    ios(CHG_OUT, "core-1", "TRANSCEIVER-6-REMOVED", f"Transceiver module removed from {N_TE}", "n_sfp_removed")
    ios(CHG_IN, "core-1", "TRANSCEIVER-6-INSERTED", f"Transceiver module inserted in {N_TE}", "n_sfp_inserted")
    ios(CHG_NOSHUT + sec(0.4), "core-1", "SYS-5-CONFIG_I", f"Configured from console by jmorales on vty0 ({N_JUMP})", "n_config_i")
    link_up(CHG_NOSHUT + sec(2.1))
    ios(CHG_NOSHUT + sec(71.3), "core-1", "SYS-6-LOGOUT", f"User jmorales has exited tty session 1({N_JUMP})", "n_logout")

    # ---- the flapping: Rx power dips below the alarm threshold, the link drops, comes back
    t = FLAP0
    rx_alarm = -14.4
    crc_until = {"t": FLAP0 - sec(200)}
    flap_times = []
    while t < ERRDIS - sec(30):
        flap_times.append(t)
        gap = rng.expovariate(1 / (230.0 if t < at(16, 14, 40) else 150.0)) + 55
        t += sec(gap)
    for k, ft in enumerate(flap_times):
        if k % 2 == 0 or k < 3:
            v = rng.uniform(-18.9, -15.1)
            ios(ft - sec(rng.uniform(0.8, 4.0)), "core-1", "SFF8472-5-THRESHOLD_VIOLATION",
                f"Te1/0/12: Rx power low alarm; Operating value: {v:.1f} dBm, Threshold value: {rx_alarm:.1f} dBm.", "n_sff_alarm")
        link_down(ft)
        link_up(ft + sec(rng.uniform(2.2, 8.8)))
    # EEM applet polling CRC counters every minute, logging when they grew
    t = FLAP0 - sec(95.0)
    while t < ERRDIS:
        inc = int(rng.lognormvariate(6.8, 0.9))
        ios(t, "core-1", "HA_EM-6-LOG", f"crc_watch: Te1/0/12 input CRC errors increased by {inc} in last 60s", "n_eem_crc")
        t += sec(60.0 + rng.uniform(-0.05, 0.05))
    # burst -> err-disable
    t = ERRDIS - sec(9.0)
    for k in range(4):
        link_down(t, ospf_state="FULL" if k == 0 else None)
        link_up(t + sec(0.9), full=False)
        t += sec(rng.uniform(1.6, 2.3))
    link_down(t)
    ios(ERRDIS, "core-1", "PM-4-ERR_DISABLE", "link-flap error detected on Te1/0/12, putting Te1/0/12 in err-disable state",
        "n_errdisable")

    # ---- the fix (15:38-15:41)
    login_ios(FIX_LOGIN, "core-1", "jmorales", N_JUMP)
    ios(FIX_OUT, "core-1", "TRANSCEIVER-6-REMOVED", f"Transceiver module removed from {N_TE}", "n_sfp_removed")
    ios(FIX_IN, "core-1", "TRANSCEIVER-6-INSERTED", f"Transceiver module inserted in {N_TE}", "n_sfp_inserted")
    ios(FIX_CFG, "core-1", "SYS-5-CONFIG_I", f"Configured from console by jmorales on vty0 ({N_JUMP})", "n_config_i")
    link_up(FIX_CFG + sec(3.4))
    ios(FIX_CFG + sec(140.2), "core-1", "SYS-6-LOGOUT", f"User jmorales has exited tty session 1({N_JUMP})", "n_logout")

    # ---- unrelated: transit B maintenance (01:02 - 01:27)
    junos(TB_DOWN, "edge-2", "rpd", 4, "bgp_read_v4_message:10745: NOTIFICATION received from 198.51.100.9 (External AS 64510): code 6 "
          "(Cease) subcode 2 (Administratively Shutdown)", "n_j_notif_recv")
    junos(TB_DOWN + sec(0.002), "edge-2", "rpd", 4, "RPD_BGP_NEIGHBOR_STATE_CHANGED: BGP peer 198.51.100.9 (External AS 64510) changed "
          "state from Established to Idle (event RecvNotify) (instance master)", "n_j_bgp_idle_tb")
    t = TB_DOWN + sec(rng.uniform(100, 140))
    while t < TB_UP - sec(120):
        junos(t, "edge-2", "rpd", 3, "bgp_connect_start: connect 198.51.100.9 (External AS 64510): Connection refused", "n_j_connect_fail")
        t += sec(rng.uniform(280, 420))
    junos(TB_UP, "edge-2", "rpd", 4, "RPD_BGP_NEIGHBOR_STATE_CHANGED: BGP peer 198.51.100.9 (External AS 64510) changed state from "
          "OpenConfirm to Established (event RecvKeepAlive) (instance master)", "n_j_bgp_est_tb")

    # ---- noise: the firewall's deny lines
    scanners = [f"{a}.{b}.{c}.{d}" for a, b, c, d in [(45, 148, 10, 83), (185, 224, 128, 17), (162, 142, 125, 211), (198, 51, 100, 77),
                                                       (89, 248, 165, 61), (193, 163, 125, 34), (71, 6, 232, 20), (147, 185, 132, 9)]]
    pubs = ["203.0.113.10", "203.0.113.11", "203.0.113.20", "203.0.113.50"]
    for t in poisson(rng, T0, T1, 24.0):
        src = rng.choice(scanners)
        dport = rng.choice([22, 23, 445, 3389, 3389, 5900, 8080, 1433, 6379, 9200, 2375])
        proto = "udp" if rng.random() < 0.1 else "tcp"
        if proto == "udp":
            dport = rng.choice([161, 1900, 5060, 123])
        asa(t, "ASA-4-106023", f"Deny {proto} src outside:{src}/{rng.randint(1024, 65535)} dst dmz:{rng.choice(pubs)}/{dport} by "
            "access-group \"outside_access_in\" [0x0, 0x0]", "n_asa_106023")
    for t in poisson(rng, T0, T1, 5.0):
        asa(t, "ASA-6-106015", f"Deny TCP (no connection) from 10.20.{rng.randint(1, 9)}.{rng.randint(10, 250)}/443 to "
            f"172.16.{rng.randint(1, 30)}.{rng.randint(2, 250)}/{rng.randint(1024, 65535)} flags {rng.choice(['RST', 'FIN ACK', 'RST ACK'])}  "
            "on interface inside", "n_asa_106015")
    for t in poisson(rng, T0, T1, 1.0):
        asa(t, "ASA-3-710003", f"TCP access denied by ACL from {rng.choice(scanners)}/{rng.randint(1024, 65535)} to "
            f"outside:203.0.113.2/{rng.choice([22, 443])}", "n_asa_710003")

    # ---- noise: oxidized config backups every two hours
    t = at(16, 6, 0, 3.0)
    while t < T1:
        tt = t
        for host in ["core-1", "core-2", "edge-1", "edge-2", "fw-1", "leaf-1", "leaf-2", "leaf-3", "leaf-4"]:
            tt += sec(rng.uniform(4, 11))
            port = rng.randint(40000, 60999)
            if host.startswith("core"):
                login_ios(tt, host, "oxidized", N_OXI)
                ios(tt + sec(rng.uniform(2, 5)), host, "SYS-6-LOGOUT", f"User oxidized has exited tty session {rng.randint(1, 4)}({N_OXI})",
                    "n_logout")
            elif host.startswith("leaf"):
                sp = rng.randint(10000, 32000)
                ios(tt, host, "AUTHPRIV-6-SYSTEM_MSG", f"pam_unix(dcos_sshd:session): session opened for user oxidized by (uid=0) - "
                    f"dcos_sshd[{sp}]", "n_nx_session_open")
                ios(tt + sec(rng.uniform(2, 6)), host, "AUTHPRIV-6-SYSTEM_MSG", f"pam_unix(dcos_sshd:session): session closed for user "
                    f"oxidized - dcos_sshd[{sp}]", "n_nx_session_close")
            elif host.startswith("edge"):
                sp = rng.randint(40000, 70000)
                junos(tt, host, "sshd", 6, f"Accepted publickey for oxidized from {N_OXI} port {port} ssh2: ED25519 "
                      "SHA256:Qm8zV1vX0l3fJ4cS9tN2hY6kR7bW5eA0uP3dG1iL8oE", "n_j_sshd", fac="auth", pid=sp)
                junos(tt + sec(0.3), host, "mgd", 6, f"UI_LOGIN_EVENT: User 'oxidized' login, class 'j-read-only' [{sp + 6}], "
                      f"ssh-connection '{N_OXI} {port} {N_DEV[host]} 22', client-mode 'cli'", "n_j_login", fac="auth", pid=sp + 6)
                junos(tt + sec(rng.uniform(3, 6)), host, "mgd", 6, "UI_LOGOUT_EVENT: User 'oxidized' logout", "n_j_logout", fac="auth",
                      pid=sp + 6)
            else:
                asa(tt, "ASA-6-605005", f"Login permitted from {N_OXI}/{port} to management:10.9.1.31/ssh for user \"oxidized\"",
                    "n_asa_login")
                asa(tt + sec(rng.uniform(2, 4)), "ASA-5-611103", "User logged out: Uname: oxidized", "n_asa_logout")
        t += sec(7200 + rng.uniform(-2, 2))

    # ---- noise: SNMP auth failures from an old poller, server ports flapping on the leaves, a leaf config change
    for host in ["core-1", "core-2"]:
        for t in poisson(rng, T0, T1, 1.6):
            ios(t, host, "SNMP-3-AUTHFAIL", "Authentication failure for SNMP req from host 10.9.0.77", "n_snmp_authfail")

    def server_port_bounce(t, host, port):
        ios(t, host, "ETHPORT-5-IF_DOWN_LINK_FAILURE", f"Interface Ethernet1/{port} is down (Link failure)", "n_nx_down")
        tu = t + sec(rng.uniform(60, 240))
        ios(tu, host, "ETHPORT-5-SPEED", f"Interface Ethernet1/{port}, operational speed changed to 25 Gbps", "n_nx_speed")
        ios(tu + sec(0.002), host, "ETHPORT-5-IF_DUPLEX", f"Interface Ethernet1/{port}, operational duplex mode changed to Full",
            "n_nx_duplex")
        ios(tu + sec(0.004), host, "ETHPORT-5-IF_RX_FLOW_CONTROL", f"Interface Ethernet1/{port}, operational Receive Flow Control state "
            "changed to off", "n_nx_flow")
        ios(tu + sec(0.21), host, "ETHPORT-5-IF_UP", f"Interface Ethernet1/{port} is up in mode access", "n_nx_up")

    for host in ["leaf-1", "leaf-2", "leaf-3", "leaf-4"]:
        for t in poisson(rng, T0, T1, 0.35, day_shape):
            server_port_bounce(t, host, rng.randint(1, 48))
    server_port_bounce(at(16, 7, 52, 40.3), "leaf-3", 12)
    ios(LEAF_CFG, "leaf-2", "VSHD-5-VSHD_SYSLOG_CONFIG_I", "Configured from vty by admin on 10.9.0.16@pts/0", "n_nx_config")
    ios(LEAF_CFG + sec(2.9), "leaf-2", "ETHPORT-5-IF_ADMIN_UP", "Interface Ethernet1/40 is admin up .", "n_nx_admin_up")
    server_port_bounce(LEAF_CFG + sec(3.1), "leaf-2", 40)
    return L.build()


def facts_netdev(records):
    down = [r["timestamp"] for r in records if r["message"] == f"%LINK-3-UPDOWN: Interface {N_TE}, changed state to down"]
    sff = [r["timestamp"] for r in records if r["message"].startswith("%SFF8472-5-THRESHOLD_VIOLATION")]
    errdis = next(r["timestamp"] for r in records if r["message"].startswith("%PM-4-ERR_DISABLE"))
    fix = next(r["timestamp"] for r in records if r["message"].startswith("%SYS-5-CONFIG_I") and r["timestamp"] > errdis)
    firsts = {}
    for r in records:
        if r["timestamp"] <= fix:
            continue
        for key, rx in (("up", r"^%LINK-3-UPDOWN: .*changed state to up$"), ("bgp", r"^%BGP-5-ADJCHANGE: neighbor 10\.0\.0\.2 Up$"),
                        ("ospf", r"^%OSPF-5-ADJCHG: .*LOADING to FULL"), ("est", r"BGP peer 10\.0\.0\.1 .*to Established")):
            if re.search(rx, r["message"]):
                firsts.setdefault(key, r["timestamp"])
    return {"first_down": down[0], "n_down": len(down), "sff_cut": sff[4], "errdis": errdis, "fix": fix,
            "after_fix": dict(sorted(firsts.items())), "chg": "2024-07-16T13:00:00Z"}


NETDEV_PROBLEM = [{"field": {"PRIORITY": "emerg|alert|crit|err|warning", "HOST": "(?!fw-1$).+"}}]


def questions_netdev(f):
    def problems(since, until):
        return [dict(r, since=since, until=until) for r in NETDEV_PROBLEM]

    return [
        q("broad",
          "office vpn and prod egress keep dropping for a few secs at a time since around 2pm. what went wrong between 14:06 and 14:14 utc "
          "on jul 16?",
          ["TenGigabitEthernet1/0/12", "xe-0/1/2"],
          problems("2024-07-16T14:06:00Z", "2024-07-16T14:14:00Z")),
        q("lexical",
          "core-1 te1/0/12 keeps going down. since when, and how many times today?",
          ["changed state to down", "TenGigabitEthernet1/0/12"],
          {"msg": r"^%LINK-3-UPDOWN: Interface TenGigabitEthernet1/0/12, changed state to down$", "since": f["first_down"]}),
        q("follow-up",
          "did anybody touch that port or teh box shortly before it started?",
          ["jmorales", "Transceiver module inserted"],
          {"field": {"HOST": "core-1"}, "msg": r"^%(SYS-5-CONFIG_I|LINK-5-CHANGED|TRANSCEIVER-6-\w+|SEC_LOGIN-5-LOGIN_SUCCESS): .*"
                                               r"(jmorales|TenGigabitEthernet1/0/12)",
           "since": f["chg"], "until": f["first_down"]}),
        q("paraphrase",
          "is the light coming in on that port too dim, like the new optic is bad?",
          ["Rx power low", "dBm"],
          {"msg": r"^%SFF8472-5-THRESHOLD_VIOLATION: ", "until": plus(f["sff_cut"], 0.001)}),
        q("follow-up",
          "jmorales put the old one back in a while ago. is it stable now or still bouncing?",
          ["err-disable", "Loading Done"],
          [{"msg": r"^%PM-4-ERR_DISABLE: "},
           {"msg": r"^%SYS-5-CONFIG_I: ", "field": {"HOST": "core-1"}, "since": f["errdis"]}]
          + [{"field": {"HOST": "core-1|edge-1"}, "msg": rx, "since": f["after_fix"][k], "until": plus(f["after_fix"][k], 0.001)}
             for k, rx in (("up", r"changed state to up$"), ("bgp", r"neighbor 10\.0\.0\.2 Up$"), ("ospf", r"LOADING to FULL"),
                           ("est", r"to Established"))]),
        q("lexical",
          "unrelated: noc says transit b peer 198.51.100.9 on edge-2 dropped overnight. was that us or them, and how long was it down?",
          ["Cease", "Administratively Shutdown"],
          {"field": {"HOST": "edge-2"}, "msg": r"198\.51\.100\.9"}),
    ]


# =============================================================================================
# 3. nomad: a HashiCorp Consul 1.17.3 + Nomad 1.7.6 cluster: srv-1..3 run a Consul server and a
#    Nomad server each, nomad-client-1..5 a Consul client and a Nomad client (docker driver). Both
#    agents write hclog JSON to a file (`log_json = true`); Vector's file source reads them
#    (host_key = "hostname"), a remap parses the line and merges its keys into the event, leaving
#    `message` as the raw line, and sets `timestamp` from `@timestamp`. Vector's JSON keeps keys
#    sorted: `@level`, `@message`, `@module`, `@timestamp`, the line's pairs (`alloc_id`, `task`,
#    `type`, `msg`, `failed`, `error`, `check`, `peer`, ...), `file`, `hostname`, `message`,
#    `source_type`, `timestamp`.
#    Change: at 13:36 on July 23 job `ingest` is updated from 2.8.4 to 2.9.0 and scaled from 4 to
#    6 (rolling, two at a time). Fault: 2.9.0 needs more memory than the task's 512 MB: every
#    container is OOM killed a few minutes after it starts (`Exit Code: 137, Exit Message: "OOM
#    Killed"`), restarted twice (`restart { attempts = 2, interval = "30m", mode = "fail" }`), then
#    `Exceeded allowed attempts 2 in interval 30m0s and mode is "fail"`; the scheduler places a
#    replacement elsewhere after a growing delay; Consul marks the service's checks critical. On
#    nomad-client-5 (added last week without the registry's CA) the pull itself fails (`x509:
#    certificate signed by unknown authority`). At 14:34:50 the job is reverted to version 13
#    (2.8.4, count 4) and the new allocations run.
#    Unrelated: at 02:14 on July 24 srv-2, the Consul leader, is frozen for ~14 s by a VM
#    snapshot: srv-1 starts an election and wins, srv-2 steps down when it thaws; Nomad's leader
#    srv-3 cannot heartbeat srv-2 meanwhile; a Consul client gets `No cluster leader`.
#    Noise: gossip key rotation at 10:00 (install/use/remove queries on every agent), a flaky NIC
#    on nomad-client-4 (serf suspect/failed/join, refutes), ACL errors (a consul-template with a
#    deleted token, Nomad API calls without a token, the anonymous token's coordinate updates),
#    the periodic `report-gen` batch job, a deploy of `api`, raft snapshots, a slow `web` check.

M_SRV = {"srv-1": "10.0.0.11", "srv-2": "10.0.0.12", "srv-3": "10.0.0.13"}
M_CLI = {f"nomad-client-{k}": f"10.0.1.{20 + k}" for k in range(1, 6)}
M_ALL = dict(M_SRV, **M_CLI)
M_FILE = {"consul": "/var/log/consul/consul.log", "nomad": "/var/log/nomad/nomad.log"}
M_PULL_ERR = ("Failed to pull `registry.internal/ingest:2.9.0`: Error response from daemon: Get \"https://registry.internal/v2/\": "
              "tls: failed to verify certificate: x509: certificate signed by unknown authority")
M_OOM = "Exit Code: 137, Exit Message: \"OOM Killed\""
M_EXCEEDED = "Exceeded allowed attempts 2 in interval 30m0s and mode is \"fail\""


def go_json(obj):
    s = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def gen_nomad():
    rng = random.Random(20240723)
    L = Log()

    def at(d, hh, mm, ss=0.0):
        return datetime(2024, 7, d, hh, mm, tzinfo=UTC) + sec(ss)

    T0, T1 = at(23, 5, 41, 9.0), at(24, 7, 56)
    UPDATE = at(23, 13, 36, 10.4)
    REVERT = at(23, 14, 34, 50.2)
    KEYROT = at(23, 10, 0, 4.1)
    API_DEPLOY = at(23, 11, 20, 31.0)
    STALL = at(24, 2, 14, 7.25)
    STALL_LEN = 13.8

    def hc(dt, host, prog, level, module, msg, kv, tpl):
        if dt.microsecond % 1000 == 0:      # hclog prints microseconds; scripted times get the part below the millisecond
            dt = dt + timedelta(microseconds=rng.randint(1, 999))
        obj = {"@level": level, "@message": msg, "@module": module, "@timestamp": iso_us(dt)}
        for k, v in kv:
            obj[k] = v
        raw = go_json(obj)
        rec = dict(obj)
        for k, new in (("method", "http_method"), ("service", "service_id")):
            if k in rec:    # the remap renames pair keys that would shadow the replay format's filter fields
                rec[new] = rec.pop(k)
        rec.update({"file": M_FILE[prog], "hostname": host, "message": raw, "source_type": "file", "timestamp": iso_ms(dt)})
        L.add(dt, tpl, dict(sorted(rec.items())))

    def te(dt, host, aid, task, typ, msg, tpl, failed=False):
        hc(dt, host, "nomad", "info", "client.alloc_runner.task_runner", "Task event",
           [("alloc_id", aid), ("task", task), ("type", typ), ("msg", msg), ("failed", failed)], tpl)

    def chk():
        return "_nomad-check-" + hexs(rng, 40)

    def svc(aid, group, task, port):
        return f"_nomad-task-{aid}-group-{group}-{task}-{port}"

    def container(dt, host):
        cid = hexs(rng, 64)
        hc(dt, host, "nomad", "info", "client.driver_mgr.docker", "created container", [("container_id", cid), ("driver", "docker")],
           "m_created")
        hc(dt + sec(rng.uniform(0.2, 0.5)), host, "nomad", "info", "client.driver_mgr.docker", "started container",
           [("container_id", cid), ("driver", "docker")], "m_started_container")
        return dt + sec(rng.uniform(0.55, 0.8))

    have_image = {h: {"2.8.4"} if h != "nomad-client-5" else set() for h in M_CLI}

    # ---------------------------------------------------------------- the ingest job
    KILL_AT = {}
    placed = []          # (time, client, version, alloc id)

    def kill(t, host, aid, check, task="ingest", group="ingest"):
        te(t, host, aid, task, "Killing", "Sent interrupt. Waiting 5s before force killing", "m_te_killing")
        te(t + sec(rng.uniform(0.3, 1.4)), host, aid, task, "Killed", "Task successfully killed", "m_te_killed")
        hc(t + sec(rng.uniform(1.5, 1.7)), host, "consul", "info", "agent", "Deregistered service",
           [("service", svc(aid, group, task, "http"))], "m_c_dereg")
        hc(t + sec(rng.uniform(1.8, 2.2)), host, "nomad", "info", "client.gc", "marking allocation for GC", [("alloc_id", aid)], "m_gc")

    def start(t, host, aid, version, task="ingest", group="ingest", first=True):
        if first:
            te(t, host, aid, task, "Received", "Task received by client", "m_te_received")
            te(t + sec(0.02), host, aid, task, "Task Setup", "Building Task Directory", "m_te_setup")
            t += sec(0.05)
        if version not in have_image[host]:
            te(t, host, aid, task, "Driver", "Downloading image", "m_te_driver")
            t += sec(rng.uniform(4, 9))
            have_image[host].add(version)
        t = container(t, host)
        te(t, host, aid, task, "Started", "Task started by client", "m_te_started")
        return t

    def run_ingest(t, host, version, stop_at):
        """One ingest allocation. Returns the time it failed for good, or None if it was stopped (revert) or runs on."""
        aid = uuid4(rng)
        check = chk()
        placed.append((t, host, version, aid))
        if version == "2.9.0" and host == "nomad-client-5":
            te(t, host, aid, "ingest", "Received", "Task received by client", "m_te_received")
            te(t + sec(0.02), host, aid, "ingest", "Task Setup", "Building Task Directory", "m_te_setup")
            t += sec(0.05)
            for attempt in range(3):
                te(t, host, aid, "ingest", "Driver", "Downloading image", "m_te_driver")
                t += sec(rng.uniform(0.3, 0.9))
                hc(t, host, "nomad", "error", "client.alloc_runner.task_runner", "running driver failed",
                   [("alloc_id", aid), ("task", "ingest"), ("error", M_PULL_ERR)], "m_driver_failed")
                te(t + sec(0.001), host, aid, "ingest", "Driver Failure", M_PULL_ERR, "m_te_driver_failure")
                if attempt < 2:
                    d = 15 * (1 + rng.uniform(0, 0.25))
                    te(t + sec(0.002), host, aid, "ingest", "Restarting", f"Task restarting in {d:.3f}s", "m_te_restarting")
                    hc(t + sec(0.003), host, "nomad", "info", "client.alloc_runner.task_runner", "restarting task",
                       [("alloc_id", aid), ("task", "ingest"), ("reason", "Restart within policy"), ("delay", f"{d:.3f}s")], "m_restarting")
                    t += sec(d)
                    if t >= stop_at:
                        return None
            te(t + sec(0.002), host, aid, "ingest", "Not Restarting", M_EXCEEDED, "m_te_not_restarting", failed=True)
            hc(t + sec(0.003), host, "nomad", "info", "client.alloc_runner.task_runner", "not restarting task",
               [("alloc_id", aid), ("task", "ingest"), ("reason", M_EXCEEDED)], "m_not_restarting")
            hc(t + sec(rng.uniform(1.0, 1.4)), host, "nomad", "info", "client.gc", "marking allocation for GC", [("alloc_id", aid)], "m_gc")
            return t
        t = start(t, host, aid, version)
        hc(t + sec(0.3), host, "consul", "info", "agent", "Synced service", [("service", svc(aid, "ingest", "ingest", "http"))],
           "m_c_synced_service")
        hc(t + sec(rng.uniform(10.2, 10.9)), host, "consul", "info", "agent", "Synced check", [("check", check)], "m_c_synced_check")
        if version != "2.9.0":
            if stop_at < T1:
                kill(stop_at, host, aid, check)
            return None
        for attempt in range(3):
            oom = t + sec(rng.uniform(170, 400))
            if oom >= stop_at:
                kill(stop_at, host, aid, check)
                return None
            te(oom, host, aid, "ingest", "Terminated", M_OOM, "m_te_oom")
            hc(oom + sec(rng.uniform(2, 9.5)), host, "consul", "warn", "agent", "Check is now critical", [("check", check)], "m_c_critical")
            if attempt == 2:
                te(oom + sec(0.001), host, aid, "ingest", "Not Restarting", M_EXCEEDED, "m_te_not_restarting", failed=True)
                hc(oom + sec(0.002), host, "nomad", "info", "client.alloc_runner.task_runner", "not restarting task",
                   [("alloc_id", aid), ("task", "ingest"), ("reason", M_EXCEEDED)], "m_not_restarting")
                kill_t = oom + sec(rng.uniform(0.4, 0.9))
                hc(kill_t, host, "consul", "info", "agent", "Deregistered service", [("service", svc(aid, "ingest", "ingest", "http"))],
                   "m_c_dereg")
                hc(kill_t + sec(0.3), host, "nomad", "info", "client.gc", "marking allocation for GC", [("alloc_id", aid)], "m_gc")
                return oom
            d = 15 * (1 + rng.uniform(0, 0.25))
            te(oom + sec(0.001), host, aid, "ingest", "Restarting", f"Task restarting in {d:.3f}s", "m_te_restarting")
            hc(oom + sec(0.002), host, "nomad", "info", "client.alloc_runner.task_runner", "restarting task",
               [("alloc_id", aid), ("task", "ingest"), ("reason", "Restart within policy"), ("delay", f"{d:.3f}s")], "m_restarting")
            t = oom + sec(d)
            if t >= stop_at:
                kill(stop_at, host, aid, check)
                return None
            t = start(t, host, aid, version, first=False)
            hc(t + sec(rng.uniform(10.2, 10.9)), host, "consul", "info", "agent", "Synced check", [("check", check)], "m_c_synced_check")
        return None

    # the four 2.8.4 allocations that run since before the window; the update replaces them two at a time
    old = {f"nomad-client-{k}": uuid4(rng) for k in range(1, 5)}
    old_checks = {h: chk() for h in old}
    kill_rev = {}
    waves = [(UPDATE, ["nomad-client-1", "nomad-client-2"], ["nomad-client-1", "nomad-client-2", "nomad-client-5", "nomad-client-4"]),
             (UPDATE + sec(47.3), ["nomad-client-3", "nomad-client-4"], ["nomad-client-3", "nomad-client-1"])]
    pending = []
    slot = 0
    for tw, stops, starts in waves:
        for k, h in enumerate(stops):
            kill(tw + sec(k * 0.13 + rng.uniform(0.05, 0.2)), h, old[h], old_checks[h])
        for k, h in enumerate(starts):
            pending.append((tw + sec(0.6 + k * 0.11 + rng.uniform(0, 0.3)), slot, h, 0))
            slot += 1
    stop_at = {}
    while pending:
        pending.sort(key=lambda p: (p[0], p[1]))
        t, s, h, nfail = pending.pop(0)
        stop = REVERT + sec(rng.uniform(0.4, 2.5))
        end = run_ingest(t, h, "2.9.0", stop)
        if end is None:
            continue
        delay = min(30 * 2 ** nfail, 3600) + rng.uniform(0.1, 0.9)
        nxt = end + sec(delay)
        if nxt >= REVERT:
            continue
        choices = [c for c in M_CLI if c != h]
        pending.append((nxt, s, choices[rng.randrange(len(choices))], nfail + 1))
    for k, h in enumerate(["nomad-client-1", "nomad-client-2", "nomad-client-3", "nomad-client-4"]):
        run_ingest(REVERT + sec(3.1 + k * 0.4 + rng.uniform(0, 0.3)), h, "2.8.4", T1 + sec(1))

    # ---------------------------------------------------------------- other jobs
    # the hourly / half-hourly periodic batch job
    t = at(23, 6, 0, 0.0)
    while t < T1:
        h = rng.choice(list(M_CLI))
        aid = uuid4(rng)
        t1 = t + sec(rng.uniform(0.4, 1.8))
        te(t1, h, aid, "report", "Received", "Task received by client", "m_te_received")
        te(t1 + sec(0.02), h, aid, "report", "Task Setup", "Building Task Directory", "m_te_setup")
        t2 = container(t1 + sec(0.1), h)
        te(t2, h, aid, "report", "Started", "Task started by client", "m_te_started")
        t3 = t2 + sec(rng.uniform(40, 200))
        te(t3, h, aid, "report", "Terminated", "Exit Code: 0", "m_te_exit0")
        hc(t3 + sec(rng.uniform(0.5, 0.9)), h, "nomad", "info", "client.gc", "marking allocation for GC", [("alloc_id", aid)], "m_gc")
        t += sec(1800)
    # the api job: a rolling deploy at 11:20
    for k, h in enumerate(["nomad-client-2", "nomad-client-3", "nomad-client-5"]):
        tt = API_DEPLOY + sec(k * 41.7)
        oa, na = uuid4(rng), uuid4(rng)
        te(tt, h, oa, "api", "Killing", "Sent interrupt. Waiting 5s before force killing", "m_te_killing")
        te(tt + sec(0.8), h, oa, "api", "Killed", "Task successfully killed", "m_te_killed")
        hc(tt + sec(1.0), h, "consul", "info", "agent", "Deregistered service", [("service", svc(oa, "api", "api", "http"))], "m_c_dereg")
        hc(tt + sec(1.1), h, "nomad", "info", "client.gc", "marking allocation for GC", [("alloc_id", oa)], "m_gc")
        ts = tt + sec(1.4)
        te(ts, h, na, "api", "Received", "Task received by client", "m_te_received")
        te(ts + sec(0.02), h, na, "api", "Task Setup", "Building Task Directory", "m_te_setup")
        te(ts + sec(0.05), h, na, "api", "Driver", "Downloading image", "m_te_driver")
        t2 = container(ts + sec(rng.uniform(3, 6)), h)
        te(t2, h, na, "api", "Started", "Task started by client", "m_te_started")
        hc(t2 + sec(0.3), h, "consul", "info", "agent", "Synced service", [("service", svc(na, "api", "api", "http"))],
           "m_c_synced_service")
    # the web check on nomad-client-2 that is sometimes slow
    web_check = chk()
    for t in poisson(rng, T0, T1, 0.45, day_shape):
        hc(t, "nomad-client-2", "consul", "warn", "agent", "Check is now critical", [("check", web_check)], "m_c_critical")
        hc(t + sec(rng.uniform(10, 31)), "nomad-client-2", "consul", "info", "agent", "Synced check", [("check", web_check)],
           "m_c_synced_check")

    # ---------------------------------------------------------------- consul gossip: key rotation at 10:00
    for step, off in (("install-key", 0.0), ("use-key", 38.6), ("remove-key", 131.9)):
        for h in M_ALL:
            tt = KEYROT + sec(off + rng.uniform(0.001, 0.04))
            if h in M_SRV:
                hc(tt, h, "consul", "info", "agent.server.serf.lan", f"serf: Received {step} query", [], "m_c_keyquery")
                hc(tt + sec(rng.uniform(0.001, 0.02)), h, "consul", "info", "agent.server.serf.wan", f"serf: Received {step} query", [],
                   "m_c_keyquery")
            else:
                hc(tt, h, "consul", "info", "agent.client.serf.lan", f"serf: Received {step} query", [], "m_c_keyquery")

    # ---------------------------------------------------------------- consul gossip: nomad-client-4's flaky NIC (08:10-09:20)
    t = at(23, 8, 10, 12.0)
    while t < at(23, 9, 20):
        bad = "nomad-client-4"
        for h in M_SRV:
            hc(t + sec(rng.uniform(0, 0.3)), h, "consul", "info", "agent.server.memberlist.lan",
               f"memberlist: Suspect {bad} has failed, no acks received", [], "m_c_suspect")
        if rng.random() < 0.5:
            hc(t + sec(rng.uniform(0.5, 2)), bad, "consul", "warn", "agent.client.memberlist.lan",
               f"memberlist: Refuting a suspect message (from: {rng.choice(list(M_SRV))})", [], "m_c_refute")
        else:
            tf = t + sec(rng.uniform(4.5, 6.5))
            for h in M_SRV:
                hc(tf + sec(rng.uniform(0, 0.2)), h, "consul", "info", "agent.server.memberlist.lan",
                   f"memberlist: Marking {bad} as failed, suspect timeout reached (2 peer confirmations)", [], "m_c_marking_failed")
                hc(tf + sec(0.25), h, "consul", "info", "agent.server.serf.lan", f"serf: EventMemberFailed: {bad} {M_CLI[bad]}", [],
                   "m_c_member_failed")
            leader = "srv-2"
            hc(tf + sec(0.3), leader, "consul", "info", "agent.server", "member failed, marking health critical",
               [("member", bad), ("partition", "default")], "m_c_health_critical")
            hc(tf + sec(rng.uniform(1, 4)), bad, "consul", "error", "agent.client.memberlist.lan",
               f"memberlist: Push/Pull with {rng.choice(list(M_SRV))} failed: dial tcp {rng.choice(list(M_SRV.values()))}:8301: i/o timeout",
               [], "m_c_pushpull")
            tj = tf + sec(rng.uniform(20, 60))
            for h in M_SRV:
                hc(tj + sec(rng.uniform(0, 0.2)), h, "consul", "info", "agent.server.serf.lan", f"serf: EventMemberJoin: {bad} {M_CLI[bad]}",
                   [], "m_c_member_join")
            hc(tj + sec(0.3), leader, "consul", "info", "agent.server", "member joined, marking health alive",
               [("member", bad), ("partition", "default")], "m_c_health_alive")
        t += sec(rng.uniform(420, 1100))

    # ---------------------------------------------------------------- ACL noise
    for t in poisson(rng, T0, T1, 3.0):
        hc(t, "nomad-client-3", "consul", "error", "agent.http", "Request error",
           [("method", "GET"), ("url", f"/v1/kv/config/billing?index={rng.randint(880000, 899999)}&stale=&wait=60000ms"),
            ("from", f"127.0.0.1:{rng.randint(32768, 60999)}"), ("error", "ACL not found")], "m_c_acl_notfound")
    for t in poisson(rng, T0, T1, 1.0, day_shape):
        h = rng.choice(list(M_SRV))
        hc(t, h, "nomad", "error", "http", "request failed",
           [("method", "GET"), ("path", rng.choice(["/v1/jobs?namespace=*", "/v1/nodes", "/v1/allocations?task_states=false"])),
            ("error", "Permission denied"), ("code", 403)], "m_n_http_403")
    t = T0 + sec(rng.uniform(0, 1800))
    while t < T1:
        hc(t, "nomad-client-5", "consul", "warn", "agent", "Coordinate update blocked by ACLs",
           [("accessorID", "00000000-0000-0000-0000-000000000002")], "m_c_coord_acl")
        t += sec(3600 + rng.uniform(-20, 20))

    # ---------------------------------------------------------------- raft snapshots on the servers
    idx = {"consul": 8811402, "nomad": 412771}
    for h in M_SRV:
        for prog, mod, base in (("consul", "agent.server.raft", "/opt/consul/data/raft/snapshots"),
                                ("nomad", "nomad.raft", "/opt/nomad/data/server/raft/snapshots")):
            t = T0 + sec(rng.uniform(300, 9000))
            i = idx[prog] + rng.randint(0, 40)
            while t < T1:
                i += rng.randint(16000, 17500) if prog == "consul" else rng.randint(8200, 8800)
                hc(t, h, prog, "info", mod, "starting snapshot up to", [("index", i)], "m_snap_start")
                hc(t + sec(0.02), h, prog, "info", mod.replace("raft", "raft.snapshot") if prog == "nomad" else "agent.server.snapshot",
                   "creating new snapshot", [("path", f"{base}/{58 if prog == 'consul' else 31}-{i}-{int(t.timestamp() * 1000)}.tmp")],
                   "m_snap_create")
                t2 = t + sec(rng.uniform(0.1, 0.9))
                hc(t2, h, prog, "info", mod, "snapshot complete up to", [("index", i)], "m_snap_done")
                hc(t2 + sec(0.004), h, prog, "info", mod, "compacting logs", [("from", i - 20479), ("to", i - 10240)], "m_compact")
                t += sec(rng.uniform(8000, 11000))

    # ---------------------------------------------------------------- unrelated: srv-2 frozen by a VM snapshot (02:14)
    A, B = STALL, STALL + sec(STALL_LEN)
    cid = {"srv-1": "6a0e4f21-3b7c-1f09-8d2e-5c4b3a291807", "srv-2": "b81d92c4-7e05-6a13-2f48-90c1d3e5f7a6",
           "srv-3": "1c5f7e93-0a2b-4d6e-8f10-23b4c5d6e7f8"}
    nid = {"srv-1": "f2a4c6e8-1b3d-5f70-9a2c-4e6f8a0b2c4d", "srv-2": "0d9e8f7a-6b5c-4d3e-2f1a-0b9c8d7e6f5a",
           "srv-3": "3e5a7c9e-b1d3-f5a7-c9e1-b3d5f7a9c1e3"}
    hc(A + sec(2.41), "srv-1", "consul", "info", "agent.server.memberlist.lan", "memberlist: Suspect srv-2 has failed, no acks received",
       [], "m_c_suspect")
    hc(A + sec(3.07), "nomad-client-2", "consul", "error", "agent.anti_entropy", "failed to sync remote state",
       [("error", "No cluster leader")], "m_c_no_leader")
    hc(A + sec(3.30), "srv-3", "nomad", "error", "nomad.raft", "failed to heartbeat to",
       [("peer", "10.0.0.12:4647"), ("backoff time", "10ms"), ("error", "read tcp 10.0.0.13:50218->10.0.0.12:4647: i/o timeout")],
       "m_n_hb_fail")
    hc(A + sec(4.1), "srv-3", "nomad", "warn", "nomad.raft", "failed to contact", [("server-id", nid["srv-2"]), ("time", "2.500437s")],
       "m_n_failed_contact")
    hc(A + sec(5.62), "srv-1", "consul", "warn", "agent.server.raft", "heartbeat timeout reached, starting election",
       [("last-leader-addr", "10.0.0.12:8300"), ("last-leader-id", cid["srv-2"])], "m_c_hb_timeout")
    hc(A + sec(5.621), "srv-1", "consul", "info", "agent.server.raft", "entering candidate state",
       [("node", "Node at 10.0.0.11:8300 [Candidate]"), ("term", 58)], "m_c_candidate")
    hc(A + sec(5.634), "srv-1", "consul", "info", "agent.server.raft", "election won", [("term", 58), ("tally", 2)], "m_c_won")
    hc(A + sec(5.635), "srv-1", "consul", "info", "agent.server.raft", "entering leader state",
       [("leader", "Node at 10.0.0.11:8300 [Leader]")], "m_c_leader_state")
    for h in ("srv-2", "srv-3"):
        hc(A + sec(5.636), "srv-1", "consul", "info", "agent.server.raft", "added peer, starting replication", [("peer", cid[h])],
           "m_c_added_peer")
    hc(A + sec(5.64), "srv-1", "consul", "info", "agent.server", "cluster leadership acquired", [], "m_c_leadership_acq")
    for h in ("srv-1", "srv-3"):
        hc(A + sec(5.66 + rng.uniform(0, 0.02)), h, "consul", "info", "agent.server", "New leader elected", [("payload", "srv-1")],
           "m_c_new_leader")
    hc(A + sec(9.2), "srv-3", "nomad", "error", "nomad.raft", "failed to heartbeat to",
       [("peer", "10.0.0.12:4647"), ("backoff time", "640ms"), ("error", "read tcp 10.0.0.13:50226->10.0.0.12:4647: i/o timeout")],
       "m_n_hb_fail")
    hc(A + sec(11.9), "srv-1", "consul", "error", "agent.server.raft", "failed to appendEntries to",
       [("peer", f"{{Voter {cid['srv-2']} 10.0.0.12:8300}}"), ("error", "read tcp 10.0.0.11:41822->10.0.0.12:8300: i/o timeout")],
       "m_c_append_fail")
    hc(B + sec(0.21), "srv-2", "consul", "warn", "agent.server.raft", "failed to contact quorum of nodes, stepping down", [],
       "m_c_step_down")
    hc(B + sec(0.211), "srv-2", "consul", "info", "agent.server.raft", "entering follower state",
       [("follower", "Node at 10.0.0.12:8300 [Follower]"), ("leader-address", ""), ("leader-id", "")], "m_c_follower")
    hc(B + sec(0.215), "srv-2", "consul", "info", "agent.server", "cluster leadership lost", [], "m_c_leadership_lost")
    hc(B + sec(0.4), "srv-2", "consul", "warn", "agent.server.memberlist.lan", "memberlist: Refuting a suspect message (from: srv-1)", [],
       "m_c_refute")
    hc(B + sec(0.9), "srv-2", "consul", "info", "agent.server", "New leader elected", [("payload", "srv-1")], "m_c_new_leader")
    hc(B + sec(1.3), "srv-3", "nomad", "info", "nomad.raft", "pipelining replication", [("peer", f"{{Voter {nid['srv-2']} 10.0.0.12:4647}}")],
       "m_n_pipelining")
    return L.build()


def facts_nomad(records):
    def te(r, typ, task="ingest"):
        return r.get("@message") == "Task event" and r.get("type") == typ and r.get("task") == task

    ooms = [r for r in records if te(r, "Terminated") and r.get("msg") == M_OOM]
    killing = [r for r in records if te(r, "Killing") and "2024-07-23T13:30" <= r["timestamp"] < "2024-07-23T13:45"]
    update = killing[0]["timestamp"]
    recv = [r["timestamp"] for r in records if te(r, "Received") and r["timestamp"] >= update]
    fail5 = next(r for r in records if te(r, "Driver Failure") and r["hostname"] == "nomad-client-5")
    revert = next(r["timestamp"] for r in records if te(r, "Killing") and r["timestamp"] > "2024-07-23T14:30")
    started = [r["timestamp"] for r in records if te(r, "Started") and r["timestamp"] > revert]
    return {"first_oom": ooms[0]["timestamp"], "oom_cut": ooms[4]["timestamp"], "last_oom": ooms[-1]["timestamp"], "n_oom": len(ooms),
            "update": update, "recv_cut": recv[3], "alloc5": fail5["alloc_id"], "revert": revert, "started_cut": started[3]}


NOMAD_PROBLEM = [{"field": {"@level": "warn|error"}}, {"field": {"@message": "Task event", "type": "Terminated|Driver Failure"},
                                                       "not_msg": r'"msg":"Exit Code: 0"'},
                 {"field": {"@message": "Task event", "failed": "true"}}]


def questions_nomad(f):
    def problems(since, until):
        return [dict(r, since=since, until=until) for r in NOMAD_PROBLEM]

    return [
        q("broad",
          "ingest keeps dying and its kafka lag is climbing since about 1:40. what went wrong between 13:39 and 13:42 utc on jul 23?",
          ["OOM Killed", "Check is now critical"],
          problems("2024-07-23T13:39:00Z", "2024-07-23T13:42:00Z")),
        q("paraphrase",
          "since when are its containers getting shot by the kernel for wanting more ram than they get?",
          ["OOM Killed", "137"],
          {"field": {"type": "Terminated", "task": "ingest"}, "msg": re.escape('Exit Code: 137'), "until": plus(f["oom_cut"], 0.001)}),
        q("follow-up",
          "what changed right before that? did someone ship or scale it",
          ["Sent interrupt", "Task received by client"],
          [{"field": {"type": "Killing", "task": "ingest"}, "since": "2024-07-23T13:30:00Z", "until": "2024-07-23T13:45:00Z"},
           {"field": {"type": "Received", "task": "ingest"}, "since": f["update"], "until": plus(f["recv_cut"], 0.001)}]),
        q("lexical",
          f"alloc {f['alloc5'][:8]} on nomad-client-5 wont even start, what is it complaining about?",
          ["x509: certificate signed by unknown authority", "registry.internal/ingest:2.9.0"],
          {"field": {"alloc_id": re.escape(f["alloc5"])}, "msg": r'"type":"Driver Failure"|"@level":"error"'}),
        q("follow-up",
          "they reverted it to the previous verison. did it recover after that or is it still dying?",
          ["Task started by client", "OOM Killed"],
          [{"field": {"type": "Started", "task": "ingest"}, "since": f["revert"], "until": plus(f["started_cut"], 0.001)},
           {"field": {"type": "Terminated", "task": "ingest"}, "since": f["last_oom"]}]),
        q("broad",
          "unrelated: consul ui said 'no cluster leader' for a bit overnight. anything wrong between 02:10 "
          "and 02:20 utc on jul 24?",
          ["heartbeat timeout reached", "10.0.0.12"],
          problems("2024-07-24T02:10:00Z", "2024-07-24T02:20:00Z")),
    ]


# =============================================================================================
# Question specs, rules and checks


def q(style, ask, mentions, rule):
    assert style in STYLES, style
    return {"style": style, "ask": ask, "mentions": mentions, "rule": rule}


SYSTEMS = [
    {
        "id": "q-spring",
        "title": "order-service (Spring Boot 3, HikariCP, Resilience4j, Kafka): payment.client.read-timeout is raised from 2s to 30s; when "
                 "the payment gateway slows down, orders hold their DB connections for 20-30 s, HikariPool-1 runs dry (`Connection is "
                 "not available, request timed out after 30000ms`), requests answer 500 and the Kafka consumer is kicked out of its "
                 "group until the timeout is set back and the circuit breaker opens; overnight tax quotes fail with `PKIX path "
                 "building failed` after tax-api's certificate is renewed",
        "gen": gen_spring,
        "facts": facts_spring,
        "questions": questions_spring,
    },
    {
        "id": "q-netdev",
        "title": "data centre network (IOS-XE cores, NX-OS leaves, Junos edges, ASA) via syslog-ng: after an optic swap on core-1 "
                 "Te1/0/12 the uplink to edge-1 flaps (Rx power low, CRC errors, OSPF and BGP to 10.0.0.2 down/up, "
                 "BGP_IO_ERROR_CLOSE_SESSION) until link-flap err-disable and the old optic is put back; overnight transit B "
                 "(198.51.100.9) shuts its session for maintenance",
        "gen": gen_netdev,
        "facts": facts_netdev,
        "questions": questions_netdev,
    },
    {
        "id": "q-nomad",
        "title": "Consul + Nomad cluster: job ingest 2.9.0 (scaled 4 -> 6) is OOM killed (exit 137) over and over, restarts run out "
                 "(`Exceeded allowed attempts 2 in interval 30m0s`), checks go critical and nomad-client-5 cannot pull the image "
                 "(x509) until the job is reverted; overnight a VM snapshot freezes the Consul leader srv-2 and srv-1 takes over",
        "gen": gen_nomad,
        "facts": facts_nomad,
        "questions": questions_nomad,
    },
]


def parse_ts(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def as_text(v):
    if isinstance(v, str):
        return v
    return json.dumps(v, ensure_ascii=False, sort_keys=True)


MISSING = object()


def get_field(rec, name):
    """A key of the record first, else a dotted path into nested objects."""
    if isinstance(rec, dict) and name in rec:
        return rec[name]
    if not isinstance(rec, dict):
        return MISSING
    parts = name.split(".")
    for i in range(len(parts) - 1, 0, -1):
        head = ".".join(parts[:i])
        if head in rec:
            v = get_field(rec[head], ".".join(parts[i:]))
            if v is not MISSING:
                return v
    return MISSING


def matches(rec, rule):
    if rule.get("msg") and not re.search(rule["msg"], rec["message"]):
        return False
    if rule.get("not_msg") and re.search(rule["not_msg"], rec["message"]):
        return False
    for name, rx in (rule.get("field") or {}).items():
        v = get_field(rec, name)
        if v is MISSING or v is None or not re.fullmatch(rx, as_text(v)):
            return False
    if rule.get("since") or rule.get("until"):
        t = parse_ts(rec["timestamp"])
        if rule.get("since") and t < parse_ts(rule["since"]):
            return False
        if rule.get("until") and t >= parse_ts(rule["until"]):
            return False
    return True


def relevant(records, rule):
    rules = rule if isinstance(rule, list) else [rule]
    for r in rules:
        assert set(r) <= {"msg", "not_msg", "field", "since", "until"}, r
        assert r.get("msg") or r.get("field"), f"rule selects too much: {r}"
        for k in ("since", "until"):
            if r.get(k):
                assert re.search(r"(Z|[+-]\d\d:\d\d)$", r[k]), f"{k} has no offset: {r[k]}"
                parse_ts(r[k])
    return [n for n, rec in enumerate(records, 1) if any(matches(rec, r) for r in rules)]


STOP = set(
    """a an the and or of to in on at for from by with without any anything did do does was were is are
    be been it its it's this that those these what which who whom when where why how many much some
    than then there their them they we our us i me my you your one ones like just only ever after before
    between around going into about over up out off again apart other else more most way not no yes
    had has have get got give given still same each every all both also very too can could would should
    through own later since until utc i'm i've what's who's that's there's so""".split()
)


def content_words(text):
    return sorted({w for w in re.findall(r"[a-z][a-z0-9']+", text.lower()) if w not in STOP and len(w) > 2})


def shared_with(ask, messages):
    """Content words of the ask that equal, or share the first four letters with, a word of the messages."""
    logw = set()
    for m in messages:
        logw |= set(re.findall(r"[a-z][a-z0-9']+", m.lower()))
    hits = []
    for a in content_words(ask):
        for w in sorted(logw):
            if a == w or (len(a) >= 4 and len(w) >= 4 and a[:4] == w[:4]):
                hits.append(f"{a}~{w}")
    return hits


def ceiling(records, lines):
    groups = {}
    for n in lines:
        m = records[n - 1]["message"]
        groups[m] = groups.get(m, 0) + 1
    top = sorted(groups.values(), reverse=True)[:10]
    return sum(top) / len(lines), len(groups)


def check_records(sid, records, tpls):
    assert MIN_RECORDS <= len(records) <= MAX_RECORDS, f"{sid}: {len(records)} records"
    prev = None
    for i, r in enumerate(records, 1):
        assert isinstance(r.get("message"), str) and r["message"].strip(), f"{sid}:{i} empty message"
        assert isinstance(r.get("timestamp"), str) and r["timestamp"].endswith("Z"), f"{sid}:{i} timestamp without Z"
        for k in FORBIDDEN_TOP:
            assert k not in r, f"{sid}:{i} has a top-level {k!r}"
        t = parse_ts(r["timestamp"])
        assert prev is None or t >= prev, f"{sid}:{i} timestamp goes backwards"
        prev = t
    span = (parse_ts(records[-1]["timestamp"]) - parse_ts(records[0]["timestamp"])).total_seconds() / 3600
    assert MIN_SPAN_H <= span <= MAX_SPAN_H, f"{sid}: span {span:.1f} h"
    n_tpl = len(set(tpls))
    assert n_tpl >= MIN_TEMPLATES, f"{sid}: only {n_tpl} templates"
    return span, n_tpl


def who(r):
    for name in ("hostname", "HOST"):
        v = get_field(r, name)
        if v is not MISSING:
            return str(v)
    return ""


def jdump(obj):
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(HERE))
    ap.add_argument("--show", action="store_true", help="print every turn's relevant lines and template counts; write nothing")
    a = ap.parse_args()
    out = Path(a.out)

    seen_asks, outputs, table, overlaps = set(), [], [], []
    qfile = {"incidents": []}
    for sysdef in SYSTEMS:
        sid = sysdef["id"]
        assert re.fullmatch(r"q-[a-z0-9-]+", sid), sid
        records, tpls = sysdef["gen"]()
        span, n_tpl = check_records(sid, records, tpls)
        facts = sysdef["facts"](records)
        qs = sysdef["questions"](facts)
        if a.show:
            counts = {}
            for tp in tpls:
                counts[tp] = counts.get(tp, 0) + 1
            print(f"\n######## {sid}: {len(records)} records, {n_tpl} templates, span {span:.1f} h, "
                  f"{records[0]['timestamp']} .. {records[-1]['timestamp']}")
            print(f"   facts: {facts}")
            for tp, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
                print(f"  {c:5d}  {tp}")
        per_style = {s: 0 for s in STYLES}
        turns = []
        assert len(qs) == 6, sid
        for qd in qs:
            ask = qd["ask"]
            key = " ".join(ask.lower().split())
            assert key not in seen_asks, f"duplicate ask: {ask}"
            seen_asks.add(key)
            per_style[qd["style"]] += 1
            lines = relevant(records, qd["rule"])
            ceil, distinct = ceiling(records, lines) if lines else (0.0, 0)
            if a.show:
                print(f"\n== {sid} [{qd['style']}] {ask}  ({len(lines)} lines, {distinct} msgs, ceiling {ceil:.3f})")
                print(f"   mentions: {qd['mentions']}")
                for n in lines:
                    r = records[n - 1]
                    print(f"  {n:5d} {r['timestamp']} {who(r)} | {r['message'].splitlines()[0][:170]}")
            assert MIN_LINES <= len(lines) <= MAX_LINES, f"{sid}: {ask!r} selects {len(lines)} lines"
            assert all(1 <= n <= len(records) for n in lines), f"{sid}: line out of range"
            assert distinct <= MAX_MSGS, f"{sid}: {ask!r} has {distinct} distinct messages"
            assert len(qd["mentions"]) == 2, ask
            for m in qd["mentions"]:
                assert any(m.lower() in as_text(v).lower() for n in lines for v in records[n - 1].values()), (
                    f"{sid}: mention {m!r} is not in any relevant line of {ask!r}"
                )
            if qd["style"] == "paraphrase":
                hits = shared_with(ask, [records[n - 1]["message"] for n in lines])
                if hits:
                    overlaps.append((sid, ask, hits))
            turns.append({"ask": ask, "expect": {"relevant_lines": lines, "mentions": qd["mentions"]}})
            table.append((sid, qd["style"], len(lines), distinct, ceil, ask))
        assert all(v >= 1 for v in per_style.values()), f"{sid}: styles {per_style}"
        incident = {
            "id": sid,
            "title": sysdef["title"],
            "environment": "prod",
            "window": {"start": records[0]["timestamp"], "end": records[-1]["timestamp"]},
            "turns": turns,
        }
        outputs.append((sid, records, incident))
        qfile["incidents"].append({"id": sid, "turns": [{"ask": t["ask"], "style": t["style"]} for t in qs]})

    if overlaps:
        print("\nparaphrase asks sharing a word (or a 4-letter prefix) with their relevant lines:")
        for sid, ask, hits in overlaps:
            print(f"  {sid}: {hits}  <- {ask}")
        print("nothing written")
        return 1
    if a.show:
        return 0

    written = []
    out.mkdir(parents=True, exist_ok=True)
    for sid, records, incident in outputs:
        d = out / sid
        d.mkdir(exist_ok=True)
        with open(d / "logs.jsonl", "w", encoding="utf-8", newline="\n") as f:
            for r in records:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        with open(d / "incident.json", "w", encoding="utf-8", newline="\n") as f:
            f.write(jdump(incident))
        written += [d / "logs.jsonl", d / "incident.json"]
    with open(out / "questions.json", "w", encoding="utf-8", newline="\n") as f:
        f.write(jdump(qfile))
    written.append(out / "questions.json")

    print(f"{'incident':13s} {'style':10s} {'lines':>5s} {'msgs':>4s} {'ceil':>5s}  ask")
    for sid, style, n, distinct, ceil, ask in table:
        print(f"{sid:13s} {style:10s} {n:5d} {distinct:4d} {ceil:5.3f}  {ask}")
    print()
    for p in written:
        print(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(out).as_posix()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
