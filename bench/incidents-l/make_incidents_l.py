#!/usr/bin/env python3
"""Build the "incidents-l" evaluation set: three synthetic incidents, each a six-turn on-call thread.

Usage: python3 make_incidents_l.py [--out DIR] [--show]

  --out   where to write; default: the folder of this script.
  --show  print every turn's relevant lines and each system's template counts; write nothing.

Writes <out>/l-<system>/logs.jsonl and incident.json for three systems, and <out>/questions.json
(the style of every turn, for shared/spec/score_replay.py --questions), then prints the sha256 of
every file written. Standard library only. All randomness comes from random.Random with fixed
seeds and nothing iterates over a set or depends on hash order, so a second run writes identical
bytes under any PYTHONHASHSEED.

The logs are synthetic. Each system is simulated from a story (a fault with a cause and its
consequences, a second unrelated problem, routine lines and noise) and written in the wording of
the real software as closely as the author could remember it. Every record carries the two fields
the replay format requires, `timestamp` (ISO 8601 with Z) and `message`; all other fields keep the
names (and the nesting) the source or its shipper writes, so none of the three has `level`,
`service`, `host`, `method`, `request_id` or `user_id` as top-level fields:

  l-orders   a Kubernetes namespace `shop` as Fluent Bit ships Docker json-file logs: time (the
             runtime's RFC 3339 time, ns), stream (stdout / stderr), log (the raw line with its
             trailing newline; Java stack traces joined by the multiline parser), kubernetes
             {pod_name, namespace_name, container_name, host, container_image, labels}. Containers:
             the Spring Boot 3.2 `order-service` (Logback's default pattern, local time +02:00,
             stack traces with `Caused by:` chains), its Istio `istio-proxy` sidecar (Envoy access
             log, errors only, and Envoy / pilot-agent lines), and the `inventory-sync` job.
             `message` is `log` without the trailing newline; `timestamp` is `time` cut to µs.
  l-elastic  an Elasticsearch 8.12 cluster's own ECS JSON logs, keys as written (flat, dotted):
             @timestamp, log.level, message, ecs.version, service.name, event.dataset,
             process.thread.name, log.logger, elasticsearch.cluster.uuid / .name,
             elasticsearch.node.id / .name, error.type / .message / .stack_trace; the search
             slow log's elasticsearch.slowlog.* keys; the deprecation log's keys.
             `timestamp` is a copy of @timestamp. The slow log writes no `message`; the shipper's
             `message` for it is composed from the slowlog fields in the ES 7 text layout.
  l-redis    Google Cloud Logging entries (as `gcloud logging read --format=json` prints them,
             keys sorted) from a Redis 7.2 primary/replica set with three Sentinels, two HAProxy
             boxes and the `cart-api` on GKE: insertId, logName, resource {type, labels}, labels,
             severity, timestamp (the entry's own), receiveTimestamp, jsonPayload (Ops Agent's
             redis parser: level, message, pid, role, roleChar; the journald receiver: MESSAGE,
             PRIORITY, SYSLOG_IDENTIFIER, _HOSTNAME, ...; structlog JSON from cart-api: message,
             command, cart_id, exception, ...) or textPayload (gunicorn's stderr),
             sourceLocation. `message` is jsonPayload.message, jsonPayload.MESSAGE or textPayload.

Four styles: broad (a time window, "what went wrong"), lexical (an exact id, host, number or quoted
log fragment), paraphrase (plain words about lines whose wording the ask does not share) and
follow-up (the ask only makes sense after the earlier turns: "it", "that box", "after that").
Relevant lines are never listed by hand: a rule selects them. A rule is a dict, or a list of dicts
whose selections are united; every condition of a dict must hold:

  msg      regex searched in `message`
  not_msg  regex that must NOT be found in `message`
  field    {name: regex}, fully matched against the field's text (JSON text for numbers, null and
           objects). A name is looked up as a key first (Elasticsearch writes "log.level" as one
           key) and otherwise as a dotted path into nested objects ("kubernetes.pod_name").
  since    ISO 8601 with offset; the record's timestamp must be >= it
  until    ISO 8601 with offset; the record's timestamp must be < it

Checks before anything is written: 1,500-2,500 records per system, timestamps never go backwards
and carry Z, span 20-48 h, at least 25 templates; every turn selects 1-40 lines holding at most 10
distinct messages (so a perfect top 10 of distinct messages can find all of them); both mentions
occur (case-insensitively) in some field of a relevant line; every style at least once per system;
no ask repeats. Paraphrase asks are checked for any content word, or any pair of words with the
same first four letters, shared with the messages of their relevant lines; if one is found it is
printed and the script exits 1 without writing.
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


def b64id(rng, n=22):
    return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") for _ in range(n))


def inside(t, windows):
    return any(a <= t < b for a, b in windows)


def iso_us(dt):
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def iso_ms(dt):
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def iso_ns(dt, rng):
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + f"{rng.randint(0, 999):03d}Z"



# =============================================================================================
# 1. orders: namespace `shop` on EKS. order-service (Spring Boot 3.2, HikariCP pool of 5 per pod,
#    connectionTimeout 10 s; the database role has statement_timeout = 120s) runs as three pods
#    behind Istio sidecars; checkout-web calls it with a 15 s route timeout. At 14:05 on the 9th
#    someone starts a manual full resync of the inventory-sync job, which updates all 184,233
#    rows of `inventory` in ONE transaction (chunk-size=0) and commits only at 14:17:48. Cart
#    and checkout requests that reserve stock (`update inventory set reserved=...`) block on the
#    row locks, hold their pooled connection until statement_timeout cancels them after 120 s
#    (`canceling statement due to statement timeout / Where: while updating tuple (p,i) in
#    relation "inventory"`, the root cause at the bottom of a `Caused by:` chain), the five
#    connections per pod are soon all held, and every other request fails after 10 s with
#    `HikariPool-1 - Connection is not available, request timed out after 100xxms.` Envoy logs
#    the 15 s caller timeouts as `0 DC downstream_remote_disconnect` and the pool timeouts as
#    500s. Unrelated: at night the ops-reporting job asks for a CSV export of a whole year of
#    orders, which loads everything into memory; the JVM (-XX:+ExitOnOutOfMemoryError) dies with
#    `java.lang.OutOfMemoryError: Java heap space` three times, once per pod, as the job retries.
#    Envoy, the docker runtime and Fluent Bit write UTC; the Spring lines carry +02:00.

O_LOCAL = timezone(timedelta(hours=2))
O_NS = "shop"
O_PODS = ["order-service-6f8b9c7d54-2kqzn", "order-service-6f8b9c7d54-7xw4m", "order-service-6f8b9c7d54-h9tlp"]
O_NODE = {O_PODS[0]: "ip-10-42-3-17.eu-central-1.compute.internal", O_PODS[1]: "ip-10-42-5-102.eu-central-1.compute.internal",
          O_PODS[2]: "ip-10-42-7-88.eu-central-1.compute.internal"}
O_IP = {O_PODS[0]: "10.42.3.54", O_PODS[1]: "10.42.5.131", O_PODS[2]: "10.42.7.203"}
O_REG = "481516234200.dkr.ecr.eu-central-1.amazonaws.com/shop"
O_IMG = f"{O_REG}/order-service:1.41.2"
O_ISTIO_IMG = "docker.io/istio/proxyv2:1.20.3"
O_SYNC_IMG = f"{O_REG}/inventory-sync:3.4.0"
O_LABELS = {"app": "order-service", "pod-template-hash": "6f8b9c7d54", "security.istio.io/tlsMode": "istio",
            "service.istio.io/canonical-name": "order-service", "version": "1.41.2"}
O_POOL, O_HIKARI_TIMEOUT, O_STMT_TIMEOUT, O_ROUTE_TIMEOUT = 5, 10.0, 120.0, 15.0
O_TICKET_CART = "c_7f3e91a2"
O_SQL = "update inventory set reserved=reserved+? where sku=? and on_hand-reserved>=?"
O_CALLERS = [("checkout-web/2.18.0", "10.42.1.77"), ("checkout-web/2.18.0", "10.42.6.19"), ("mobile-bff/5.3.1", "10.42.2.140")]


def lb_abbrev(name, target=39, width=40):
    """Logback's %-40.40logger{39}: shorten leading package names, then cut from the left to 40."""
    parts = name.split(".")
    i = 0
    while len(".".join(parts)) > target and i < len(parts) - 1:
        parts[i] = parts[i][0]
        i += 1
    s = ".".join(parts)
    return s[-width:]


def spring(dt, level, thread, logger, text, app="order-service", pid=1):
    ts = dt.astimezone(O_LOCAL).isoformat(timespec="milliseconds")
    return f"{ts} {level:>5} {pid} --- [{app}] [{thread[-15:]:>15}] {lb_abbrev(logger):<40} : {text}"


WEB_TAIL = [
    "java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)",
    "java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke(NativeMethodAccessorImpl.java:77)",
    "java.base/jdk.internal.reflect.DelegatingMethodAccessorImpl.invoke(DelegatingMethodAccessorImpl.java:43)",
    "java.base/java.lang.reflect.Method.invoke(Method.java:568)",
    "org.springframework.web.method.support.InvocableHandlerMethod.doInvoke(InvocableHandlerMethod.java:254)",
    "org.springframework.web.method.support.InvocableHandlerMethod.invokeForRequest(InvocableHandlerMethod.java:182)",
    "org.springframework.web.servlet.mvc.method.annotation.ServletInvocableHandlerMethod.invokeAndHandle(ServletInvocableHandlerMethod.java:118)",
    "org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter.invokeHandlerMethod(RequestMappingHandlerAdapter.java:920)",
    "org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter.handleInternal(RequestMappingHandlerAdapter.java:830)",
    "org.springframework.web.servlet.mvc.method.AbstractHandlerMethodAdapter.handle(AbstractHandlerMethodAdapter.java:87)",
    "org.springframework.web.servlet.DispatcherServlet.doDispatch(DispatcherServlet.java:1089)",
    "org.springframework.web.servlet.DispatcherServlet.doService(DispatcherServlet.java:979)",
    "org.springframework.web.servlet.FrameworkServlet.processRequest(FrameworkServlet.java:1014)",
    "org.springframework.web.servlet.FrameworkServlet.do{VERB}(FrameworkServlet.java:{VLINE})",
    "jakarta.servlet.http.HttpServlet.service(HttpServlet.java:{SLINE})",
    "org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)",
    "jakarta.servlet.http.HttpServlet.service(HttpServlet.java:658)",
    "org.apache.catalina.core.ApplicationFilterChain.internalDoFilter(ApplicationFilterChain.java:205)",
    "org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:149)",
    "org.apache.tomcat.websocket.server.WsFilter.doFilter(WsFilter.java:51)",
    "org.apache.catalina.core.ApplicationFilterChain.internalDoFilter(ApplicationFilterChain.java:174)",
    "org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:149)",
    "org.springframework.web.filter.RequestContextFilter.doFilterInternal(RequestContextFilter.java:100)",
    "org.springframework.web.filter.OncePerRequestFilter.doFilter(OncePerRequestFilter.java:116)",
    "org.apache.catalina.core.ApplicationFilterChain.internalDoFilter(ApplicationFilterChain.java:174)",
    "org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:149)",
    "org.springframework.web.filter.ServerHttpObservationFilter.doFilterInternal(ServerHttpObservationFilter.java:109)",
    "org.springframework.web.filter.OncePerRequestFilter.doFilter(OncePerRequestFilter.java:116)",
    "org.apache.catalina.core.ApplicationFilterChain.internalDoFilter(ApplicationFilterChain.java:174)",
    "org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:149)",
    "org.springframework.web.filter.CharacterEncodingFilter.doFilterInternal(CharacterEncodingFilter.java:201)",
    "org.springframework.web.filter.OncePerRequestFilter.doFilter(OncePerRequestFilter.java:116)",
    "org.apache.catalina.core.ApplicationFilterChain.internalDoFilter(ApplicationFilterChain.java:174)",
    "org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:149)",
    "org.apache.catalina.core.StandardWrapperValve.invoke(StandardWrapperValve.java:167)",
    "org.apache.catalina.core.StandardContextValve.invoke(StandardContextValve.java:90)",
    "org.apache.catalina.authenticator.AuthenticatorBase.invoke(AuthenticatorBase.java:482)",
    "org.apache.catalina.core.StandardHostValve.invoke(StandardHostValve.java:115)",
    "org.apache.catalina.valves.ErrorReportValve.invoke(ErrorReportValve.java:93)",
    "org.apache.catalina.core.StandardEngineValve.invoke(StandardEngineValve.java:74)",
    "org.apache.catalina.connector.CoyoteAdapter.service(CoyoteAdapter.java:344)",
    "org.apache.coyote.http11.Http11Processor.service(Http11Processor.java:391)",
    "org.apache.coyote.AbstractProcessorLight.process(AbstractProcessorLight.java:63)",
    "org.apache.coyote.AbstractProtocol$ConnectionHandler.process(AbstractProtocol.java:896)",
    "org.apache.tomcat.util.net.NioEndpoint$SocketProcessor.doRun(NioEndpoint.java:1744)",
    "org.apache.tomcat.util.net.SocketProcessorBase.run(SocketProcessorBase.java:52)",
    "org.apache.tomcat.util.threads.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1191)",
    "org.apache.tomcat.util.threads.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:659)",
    "org.apache.tomcat.util.threads.TaskThread$WrappingRunnable.run(TaskThread.java:61)",
    "java.base/java.lang.Thread.run(Thread.java:840)",
]
VERBS = {"GET": ("Get", 903, 564), "POST": ("Post", 914, 590), "PUT": ("Put", 925, 601)}
TX_FRAMES = [
    "org.springframework.transaction.interceptor.TransactionAspectSupport.invokeWithinTransaction(TransactionAspectSupport.java:{L})",
    "org.springframework.transaction.interceptor.TransactionInterceptor.invoke(TransactionInterceptor.java:119)",
    "org.springframework.aop.framework.ReflectiveMethodInvocation.proceed(ReflectiveMethodInvocation.java:184)",
    "org.springframework.aop.framework.CglibAopProxy$DynamicAdvisedInterceptor.intercept(CglibAopProxy.java:765)",
]
# endpoint kind -> (verb, path template, service method frame, proxy frame, controller frame)
O_ENDPOINTS = {
    "checkout": ("POST", "/api/v1/carts/{id}/checkout", "com.acme.shop.orders.service.CheckoutService.checkout(CheckoutService.java:87)",
                 "com.acme.shop.orders.service.CheckoutService$$SpringCGLIB$$0.checkout(<generated>)",
                 "com.acme.shop.orders.web.CartController.checkout(CartController.java:71)"),
    "cart_item": ("PUT", "/api/v1/carts/{id}/items", "com.acme.shop.orders.service.CartService.putItem(CartService.java:58)",
                  "com.acme.shop.orders.service.CartService$$SpringCGLIB$$0.putItem(<generated>)",
                  "com.acme.shop.orders.web.CartController.putItem(CartController.java:48)"),
    "get_cart": ("GET", "/api/v1/carts/{id}", None, "com.acme.shop.orders.service.CartService$$SpringCGLIB$$0.getCart(<generated>)",
                 "com.acme.shop.orders.web.CartController.getCart(CartController.java:36)"),
    "get_order": ("GET", "/api/v1/orders/{id}", None, "com.acme.shop.orders.service.OrderQueryService$$SpringCGLIB$$0.findOrder(<generated>)",
                  "com.acme.shop.orders.web.OrderController.getOrder(OrderController.java:39)"),
}


def at_lines(frames):
    return "".join(f"\n\tat {f}" for f in frames)


def web_tail(verb):
    v, vl, sl = VERBS[verb]
    return [f.replace("{VERB}", v).replace("{VLINE}", str(vl)).replace("{SLINE}", str(sl)) for f in WEB_TAIL]


def hikari_trace(kind, ms):
    verb, _, _, proxy, ctrl = O_ENDPOINTS[kind]
    top = ["org.springframework.orm.jpa.JpaTransactionManager.doBegin(JpaTransactionManager.java:466)",
           "org.springframework.transaction.support.AbstractPlatformTransactionManager.startTransaction(AbstractPlatformTransactionManager.java:531)",
           "org.springframework.transaction.support.AbstractPlatformTransactionManager.getTransaction(AbstractPlatformTransactionManager.java:405)",
           "org.springframework.transaction.interceptor.TransactionAspectSupport.createTransactionIfNecessary(TransactionAspectSupport.java:617)",
           TX_FRAMES[0].replace("{L}", "386")] + TX_FRAMES[1:] + [proxy, ctrl] + web_tail(verb)
    c1 = ["org.hibernate.exception.internal.SQLStateConversionDelegate.convert(SQLStateConversionDelegate.java:100)",
          "org.hibernate.exception.internal.StandardSQLExceptionConverter.convert(StandardSQLExceptionConverter.java:58)",
          "org.hibernate.engine.jdbc.spi.SqlExceptionHelper.convert(SqlExceptionHelper.java:108)",
          "org.hibernate.engine.jdbc.spi.SqlExceptionHelper.convert(SqlExceptionHelper.java:94)",
          "org.hibernate.resource.jdbc.internal.LogicalConnectionManagedImpl.acquireConnectionIfNeeded(LogicalConnectionManagedImpl.java:116)",
          "org.hibernate.resource.jdbc.internal.LogicalConnectionManagedImpl.getPhysicalConnection(LogicalConnectionManagedImpl.java:143)",
          "org.hibernate.resource.jdbc.internal.LogicalConnectionManagedImpl.getConnectionForTransactionManagement(LogicalConnectionManagedImpl.java:273)",
          "org.hibernate.resource.jdbc.internal.LogicalConnectionManagedImpl.begin(LogicalConnectionManagedImpl.java:281)",
          "org.hibernate.resource.transaction.backend.jdbc.internal.JdbcResourceLocalTransactionCoordinatorImpl$TransactionDriverControlImpl.begin(JdbcResourceLocalTransactionCoordinatorImpl.java:232)",
          "org.hibernate.engine.transaction.internal.TransactionImpl.begin(TransactionImpl.java:83)",
          "org.springframework.orm.jpa.vendor.HibernateJpaDialect.beginTransaction(HibernateJpaDialect.java:164)",
          "org.springframework.orm.jpa.JpaTransactionManager.doBegin(JpaTransactionManager.java:420)"]
    c2 = ["com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)",
          "com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:181)",
          "com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:146)",
          "com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:100)",
          "org.hibernate.engine.jdbc.connections.internal.DatasourceConnectionProviderImpl.getConnection(DatasourceConnectionProviderImpl.java:122)",
          "org.hibernate.internal.NonContextualJdbcConnectionAccess.obtainConnection(NonContextualJdbcConnectionAccess.java:46)",
          "org.hibernate.resource.jdbc.internal.LogicalConnectionManagedImpl.acquireConnectionIfNeeded(LogicalConnectionManagedImpl.java:113)"]
    hik = f"HikariPool-1 - Connection is not available, request timed out after {ms}ms."
    return ("org.springframework.transaction.CannotCreateTransactionException: Could not open JPA EntityManager for transaction"
            + at_lines(top)
            + f"\nCaused by: org.hibernate.exception.JDBCConnectionException: Unable to acquire JDBC Connection [{hik}] [n/a]"
            + at_lines(c1) + f"\n\t... {len(top) - 1} common frames omitted"
            + f"\nCaused by: java.sql.SQLTransientConnectionException: {hik}"
            + at_lines(c2) + f"\n\t... {len(top) + len(c1) - 5} common frames omitted")


def stmt_timeout_trace(kind, tup):
    verb, _, svc, proxy, ctrl = O_ENDPOINTS[kind]
    pg = f'ERROR: canceling statement due to statement timeout\n  Where: while updating tuple {tup} in relation "inventory"'
    top = ["org.springframework.orm.jpa.vendor.HibernateJpaDialect.convertHibernateAccessException(HibernateJpaDialect.java:277)",
           "org.springframework.orm.jpa.vendor.HibernateJpaDialect.translateExceptionIfPossible(HibernateJpaDialect.java:241)",
           "org.springframework.orm.jpa.AbstractEntityManagerFactoryBean.translateExceptionIfPossible(AbstractEntityManagerFactoryBean.java:560)",
           "org.springframework.dao.support.ChainedPersistenceExceptionTranslator.translateExceptionIfPossible(ChainedPersistenceExceptionTranslator.java:61)",
           "org.springframework.dao.support.DataAccessUtils.translateIfNecessary(DataAccessUtils.java:243)",
           "org.springframework.dao.support.PersistenceExceptionTranslationInterceptor.invoke(PersistenceExceptionTranslationInterceptor.java:152)",
           "org.springframework.aop.framework.ReflectiveMethodInvocation.proceed(ReflectiveMethodInvocation.java:184)",
           "org.springframework.data.jpa.repository.support.CrudMethodMetadataPostProcessor$CrudMethodMetadataPopulatingMethodInterceptor.invoke(CrudMethodMetadataPostProcessor.java:164)",
           "org.springframework.aop.framework.ReflectiveMethodInvocation.proceed(ReflectiveMethodInvocation.java:184)",
           "org.springframework.aop.framework.JdkDynamicAopProxy.invoke(JdkDynamicAopProxy.java:249)",
           "jdk.proxy2/jdk.proxy2.$Proxy214.reserve(Unknown Source)",
           "com.acme.shop.orders.inventory.StockReservations.reserve(StockReservations.java:41)",
           svc,
           "java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)",
           "java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke(NativeMethodAccessorImpl.java:77)",
           "java.base/jdk.internal.reflect.DelegatingMethodAccessorImpl.invoke(DelegatingMethodAccessorImpl.java:43)",
           "java.base/java.lang.reflect.Method.invoke(Method.java:568)",
           "org.springframework.aop.support.AopUtils.invokeJoinpointUsingReflection(AopUtils.java:351)",
           "org.springframework.aop.framework.ReflectiveMethodInvocation.invokeJoinpoint(ReflectiveMethodInvocation.java:196)",
           "org.springframework.aop.framework.ReflectiveMethodInvocation.proceed(ReflectiveMethodInvocation.java:163)",
           "org.springframework.aop.framework.CglibAopProxy$CglibMethodInvocation.proceed(CglibAopProxy.java:765)",
           "org.springframework.transaction.interceptor.TransactionInterceptor$1.proceedWithInvocation(TransactionInterceptor.java:123)",
           TX_FRAMES[0].replace("{L}", "392")] + TX_FRAMES[1:] + [proxy, ctrl] + web_tail(verb)
    c1 = ["org.hibernate.dialect.PostgreSQLDialect.lambda$buildSQLExceptionConversionDelegate$0(PostgreSQLDialect.java:1054)",
          "org.hibernate.exception.internal.StandardSQLExceptionConverter.convert(StandardSQLExceptionConverter.java:58)",
          "org.hibernate.engine.jdbc.spi.SqlExceptionHelper.convert(SqlExceptionHelper.java:108)",
          "org.hibernate.engine.jdbc.internal.ResultSetReturnImpl.executeUpdate(ResultSetReturnImpl.java:278)",
          "org.hibernate.query.sql.internal.NativeNonSelectQueryPlanImpl.executeUpdate(NativeNonSelectQueryPlanImpl.java:78)",
          "org.hibernate.query.sql.internal.NativeQueryImpl.doExecuteUpdate(NativeQueryImpl.java:820)",
          "org.hibernate.query.spi.AbstractQuery.executeUpdate(AbstractQuery.java:643)",
          "org.springframework.data.jpa.repository.query.JpaQueryExecution$ModifyingExecution.doExecute(JpaQueryExecution.java:245)",
          "org.springframework.data.jpa.repository.query.JpaQueryExecution.execute(JpaQueryExecution.java:92)",
          "org.springframework.data.jpa.repository.query.AbstractJpaQuery.doExecute(AbstractJpaQuery.java:148)",
          "org.springframework.data.jpa.repository.query.AbstractJpaQuery.execute(AbstractJpaQuery.java:136)"]
    c2 = ["org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2713)",
          "org.postgresql.core.v3.QueryExecutorImpl.processResults(QueryExecutorImpl.java:2401)",
          "org.postgresql.core.v3.QueryExecutorImpl.execute(QueryExecutorImpl.java:368)",
          "org.postgresql.jdbc.PgStatement.executeInternal(PgStatement.java:498)",
          "org.postgresql.jdbc.PgStatement.execute(PgStatement.java:415)",
          "org.postgresql.jdbc.PgPreparedStatement.executeWithFlags(PgPreparedStatement.java:190)",
          "org.postgresql.jdbc.PgPreparedStatement.executeUpdate(PgPreparedStatement.java:152)",
          "com.zaxxer.hikari.pool.ProxyPreparedStatement.executeUpdate(ProxyPreparedStatement.java:61)",
          "com.zaxxer.hikari.pool.HikariProxyPreparedStatement.executeUpdate(HikariProxyPreparedStatement.java)",
          "org.hibernate.engine.jdbc.internal.ResultSetReturnImpl.executeUpdate(ResultSetReturnImpl.java:275)"]
    hib = f"could not execute statement [{pg}] [{O_SQL}]"
    return (f"org.springframework.dao.QueryTimeoutException: {hib}" + at_lines(top)
            + f"\nCaused by: org.hibernate.QueryTimeoutException: {hib}" + at_lines(c1)
            + f"\n\t... {len(top) - 11} common frames omitted"
            + f"\nCaused by: org.postgresql.util.PSQLException: {pg}" + at_lines(c2)
            + f"\n\t... {len(top) - 8} common frames omitted")


def gen_orders():
    rng = random.Random(20240409)
    L = Log()

    def at(d, hh, mm, ss=0.0):
        return datetime(2024, 4, d, hh, mm, tzinfo=UTC) + sec(ss)

    T0, T1 = at(9, 6, 0), at(10, 8, 30)
    JOB_UP = at(9, 14, 5, 41.218)
    LOCK_START, LOCK_END = at(9, 14, 6, 2.307), at(9, 14, 17, 48.164)
    NIGHTLY = at(10, 2, 0, 4.9)
    OOMS = [(at(10, 3, 12, 40.5), O_PODS[1]), (at(10, 3, 27, 55.1), O_PODS[2]), (at(10, 3, 43, 9.8), O_PODS[0])]
    QUIET = [(at(9, 14, 3), at(9, 14, 9)), (at(10, 3, 8), at(10, 3, 26))]

    def rec(dt, pod, container, stream, line, tpl, image=None, labels=None):
        r = {"timestamp": iso_us(dt), "time": iso_ns(dt, rng), "stream": stream, "log": line + "\n",
             "kubernetes": {"pod_name": pod, "namespace_name": O_NS, "container_name": container,
                            "host": O_NODE.get(pod, "ip-10-42-4-61.eu-central-1.compute.internal"),
                            "container_image": image or (O_ISTIO_IMG if container == "istio-proxy" else O_IMG),
                            "labels": labels or O_LABELS},
             "message": line}
        L.add(dt, tpl, r)

    def app(dt, pod, level, thread, logger, text, tpl):
        rec(dt, pod, "order-service", "stdout", spring(dt, level, thread, logger, text), tpl)

    def exec_thread():
        return f"http-nio-8080-exec-{rng.randint(1, 48)}"

    def xrid():
        return f"{hexs(rng, 8)}-{hexs(rng, 4)}-{hexs(rng, 4)}-{hexs(rng, 4)}-{hexs(rng, 12)}"

    def envoy(end, pod, verb, path, code, flags, details, rx, tx, dur_ms, ust, tpl, ufr="-", uhost=None):
        ua, cip = rng.choice(O_CALLERS)
        start = end - sec(dur_ms / 1000.0)
        ip = O_IP[pod]
        line = (f'[{iso_ms(start)}] "{verb} {path} HTTP/1.1" {code} {flags} {details} - "{ufr}" {rx} {tx} {dur_ms} {ust} "-" "{ua}" '
                f'"{xrid()}" "order-service.shop.svc.cluster.local:8080" "{uhost or ip + ":8080"}" inbound|8080|| '
                f'127.0.0.6:{rng.randint(33000, 60999)} {ip}:8080 {cip}:{rng.randint(33000, 60999)} '
                f'outbound_.8080_._.order-service.shop.svc.cluster.local default')
        rec(end, pod, "istio-proxy", "stdout", line, tpl)

    def day(t):
        return 1.0 if 7 <= t.hour < 21 else 0.3

    # ---- carts and SKUs. Popular SKUs sit on known heap tuples of `inventory`.
    skus = [(f"SKU-{rng.randint(100000, 199999)}", f"({rng.randint(40, 2399)},{rng.randint(1, 40)})") for _ in range(60)]
    skus[0] = ("SKU-118204", "(1842,7)")
    weights = [8.0] + [1.0 / (1 + i * 0.15) for i in range(1, len(skus))]

    def pick_sku():
        return rng.choices(skus, weights)[0]

    def cart_id():
        return "c_" + hexs(rng, 8)

    def order_id():
        return f"ORD-24-{rng.randint(4000000, 4999999)}"

    # ---- arrivals per pod: (t, kind, id, forced_sku)
    arrivals = {p: [] for p in O_PODS}
    for kind, per_h in (("cart_item", 240.0), ("checkout", 12.0), ("get_cart", 50.0), ("get_order", 30.0)):
        for p in O_PODS:
            for t in poisson(rng, T0, T1, per_h, day):
                if any(o - sec(5) <= t < o + sec(25) and p == op for o, op in OOMS):
                    continue
                arrivals[p].append((t, kind, cart_id() if kind != "get_order" else order_id(), None))
    # the support ticket: one customer retries checkout three times
    # (the first attempt lands on a row the resync already holds)
    for t, p, force in ((at(9, 14, 9, 12.4), O_PODS[0], True), (at(9, 14, 12, 31.9), O_PODS[2], False), (at(9, 14, 14, 6.2), O_PODS[1], False)):
        arrivals[p].append((t, "checkout", O_TICKET_CART, (skus[0], force)))

    def p_lock(t):
        frac = (t - LOCK_START) / (LOCK_END - LOCK_START)
        return min(0.97, 0.12 + 1.15 * frac)

    placed = {p: 0 for p in O_PODS}
    for pod in O_PODS:
        slots = [T0 - sec(3600)] * O_POOL
        for t, kind, ident, forced in sorted(arrivals[pod], key=lambda a: (a[0], a[1], a[2])):
            verb, ptpl = O_ENDPOINTS[kind][0], O_ENDPOINTS[kind][1]
            path = ptpl.replace("{id}", ident)
            i = min(range(O_POOL), key=lambda k: slots[k])
            start = max(t, slots[i])
            if (start - t).total_seconds() > O_HIKARI_TIMEOUT:
                ms = int(O_HIKARI_TIMEOUT * 1000) + rng.randint(0, 9)
                fail = t + sec(ms / 1000.0)
                th = exec_thread()
                logger = "org.hibernate.engine.jdbc.spi.SqlExceptionHelper"
                app(fail, pod, "WARN", th, logger, "SQL Error: 0, SQLState: null", "hib_sqlstate_null")
                app(fail + sec(0.0004), pod, "ERROR", th, logger,
                    f"HikariPool-1 - Connection is not available, request timed out after {ms}ms.", "hib_hikari_timeout")
                app(fail + sec(0.0021), pod, "ERROR", th, "com.acme.shop.orders.web.ApiExceptionHandler",
                    f"Unhandled exception for {verb} {path}\n{hikari_trace(kind, ms)}", "handler_hikari")
                envoy(fail + sec(0.0038), pod, verb, path, 500, "-", "via_upstream", rng.randint(180, 900) if verb != "GET" else 0,
                      rng.randint(96, 140), ms + rng.randint(3, 9), ms + rng.randint(1, 3), "envoy_500")
                continue
            inv = kind in ("cart_item", "checkout")
            (sku, tup), force = forced or (pick_sku(), False)
            locked = inv and LOCK_START <= start < LOCK_END and (force or rng.random() < p_lock(start))
            if locked:
                timeout_at = start + sec(O_STMT_TIMEOUT + rng.uniform(0.001, 0.02))
                if timeout_at < LOCK_END:
                    slots[i] = timeout_at
                    th = exec_thread()
                    if (timeout_at - t).total_seconds() > O_ROUTE_TIMEOUT:
                        envoy(t + sec(O_ROUTE_TIMEOUT + rng.uniform(0.0005, 0.004)), pod, verb, path, 0, "DC", "downstream_remote_disconnect",
                              rng.randint(180, 900), 0, int(O_ROUTE_TIMEOUT * 1000) + rng.randint(0, 3), "-", "envoy_dc")
                    logger = "org.hibernate.engine.jdbc.spi.SqlExceptionHelper"
                    app(timeout_at, pod, "WARN", th, logger, "SQL Error: 0, SQLState: 57014", "hib_sqlstate_57014")
                    app(timeout_at + sec(0.0003), pod, "ERROR", th, logger,
                        f'ERROR: canceling statement due to statement timeout\n  Where: while updating tuple {tup} in relation "inventory"',
                        "hib_stmt_timeout")
                    app(timeout_at + sec(0.0019), pod, "ERROR", th, "com.acme.shop.orders.web.ApiExceptionHandler",
                        f"Unhandled exception for {verb} {path}\n{stmt_timeout_trace(kind, tup)}", "handler_stmt_timeout")
                    continue
                done = LOCK_END + sec(rng.uniform(0.01, 0.4))
                slots[i] = done
                if (done - t).total_seconds() > O_ROUTE_TIMEOUT:
                    envoy(t + sec(O_ROUTE_TIMEOUT + rng.uniform(0.0005, 0.004)), pod, verb, path, 0, "DC", "downstream_remote_disconnect",
                          rng.randint(180, 900), 0, int(O_ROUTE_TIMEOUT * 1000) + rng.randint(0, 3), "-", "envoy_dc")
            else:
                done = start + sec(rng.uniform(0.02, 0.25))
                slots[i] = done
            if kind == "checkout":
                n = rng.randint(1, 6)
                placed[pod] += 1
                app(done, pod, "INFO", exec_thread(), "com.acme.shop.orders.service.CheckoutService",
                    f"Order {order_id()} placed for cart {ident} ({n} item{'s' if n > 1 else ''}, total {rng.uniform(9, 420):.2f} EUR)",
                    "order_placed")

    # ---- inventory-sync: the manual full resync and the nightly delta run
    def sync_run(t, pod, mode, labels):
        def s(dt, level, thread, logger, text, tpl, stream="stdout"):
            rec(dt, pod, "inventory-sync", stream, spring(dt, level, thread, logger, text, app="inventory-sync"), tpl,
                image=O_SYNC_IMG, labels=labels)
        run = "com.acme.shop.inventory.sync.InventorySyncRunner"
        s(t, "INFO", "main", "com.acme.shop.inventory.sync.InventorySyncApplication",
          "Starting InventorySyncApplication v3.4.0 using Java 17.0.10 with PID 1 (/app/app.jar started by app in /app)", "sync_starting")
        s(t + sec(0.012), "INFO", "main", "com.acme.shop.inventory.sync.InventorySyncApplication",
          'The following 1 profile is active: "prod"', "sync_profile")
        s(t + sec(2.71), "INFO", "main", "com.zaxxer.hikari.HikariDataSource", "HikariPool-1 - Starting...", "sync_hikari_starting")
        s(t + sec(2.93), "INFO", "main", "com.zaxxer.hikari.pool.HikariPool",
          f"HikariPool-1 - Added connection org.postgresql.jdbc.PgConnection@{hexs(rng, 8).lstrip('0')}", "sync_hikari_added")
        s(t + sec(2.94), "INFO", "main", "com.zaxxer.hikari.HikariDataSource", "HikariPool-1 - Start completed.", "sync_hikari_done")
        up = 6.0 + rng.uniform(0, 1.5)
        s(t + sec(up), "INFO", "main", "com.acme.shop.inventory.sync.InventorySyncApplication",
          f"Started InventorySyncApplication in {up - 0.8:.3f} seconds (process running for {up:.3f})", "sync_started")
        if mode == "full":
            src = "s3://acme-wms-exports/full/2024-04-09T1400Z.csv.gz"
            s(t + sec(up + 0.02), "INFO", "main", run, f"Full resync (--mode=full) from {src}", "sync_full_begin")
            assert abs((t + sec(up + 14.0) - LOCK_START).total_seconds()) < 3
            s(LOCK_START, "INFO", "main", run, "Full resync: 184233 SKUs read, applying in a single transaction (chunk-size=0)", "sync_full_apply")
            span = (LOCK_END - LOCK_START).total_seconds()
            for k in (40000, 80000, 120000, 160000):
                s(LOCK_START + sec(span * k / 184233 + rng.uniform(-4, 4)), "INFO", "main", run,
                  f"Full resync progress: {k}/184233 rows ({100 * k // 184233}%)", "sync_full_progress")
            s(LOCK_END, "INFO", "main", run, f"Full resync committed: 184233 inventory rows updated in {span:.1f}s", "sync_full_commit")
            end = LOCK_END
        else:
            n = rng.randint(1500, 2400)
            src = f"s3://acme-wms-exports/delta/{t.strftime('%Y-%m-%dT%H00Z')}.csv.gz"
            s(t + sec(up + 0.02), "INFO", "main", run, f"Delta sync (--mode=delta) from {src}", "sync_delta_begin")
            s(t + sec(up + 1.3), "INFO", "main", run, f"Delta sync: {n} changed SKUs, applying in chunks of 500", "sync_delta_apply")
            end = t + sec(up + 1.3 + n / 480.0)
            s(end, "INFO", "main", run, f"Delta sync done: {n} inventory rows updated in {(n + 499) // 500} chunks in {n / 480.0:.1f}s",
              "sync_delta_done")
        s(end + sec(0.03), "INFO", "SpringApplicationShutdownHook", "com.zaxxer.hikari.HikariDataSource",
          "HikariPool-1 - Shutdown initiated...", "sync_hikari_shutdown")
        s(end + sec(0.05), "INFO", "SpringApplicationShutdownHook", "com.zaxxer.hikari.HikariDataSource",
          "HikariPool-1 - Shutdown completed.", "sync_hikari_shutdown_done")

    sync_run(JOB_UP, "inventory-sync-manual-0409-x5n7k", "full",
             {"app": "inventory-sync", "batch.kubernetes.io/job-name": "inventory-sync-manual-0409", "job-name": "inventory-sync-manual-0409"})
    cj = str(int(datetime(2024, 4, 10, 2, 0, tzinfo=UTC).timestamp() // 60))
    sync_run(NIGHTLY, f"inventory-sync-{cj}-qz4lm", "delta",
             {"app": "inventory-sync", "batch.kubernetes.io/job-name": f"inventory-sync-{cj}", "job-name": f"inventory-sync-{cj}"})

    # ---- the export OOMs: one per pod, 15 min apart, as the ops-reporting CronJob retries
    def boot(t, pod):
        main = "com.acme.shop.orders.OrderServiceApplication"
        steps = [
            (0.0, "INFO", main, "Starting OrderServiceApplication v1.41.2 using Java 17.0.10 with PID 1 (/app/app.jar started by app in /app)", "boot_starting"),
            (0.01, "INFO", main, 'The following 1 profile is active: "prod"', "boot_profile"),
            (2.1, "INFO", "org.springframework.data.repository.config.RepositoryConfigurationDelegate",
             "Bootstrapping Spring Data JPA repositories in DEFAULT mode.", "boot_jpa_repos"),
            (2.4, "INFO", "org.springframework.data.repository.config.RepositoryConfigurationDelegate",
             f"Finished Spring Data repository scanning in {rng.randint(180, 260)} ms. Found 9 JPA repository interfaces.", "boot_jpa_found"),
            (4.2, "INFO", "org.springframework.boot.web.embedded.tomcat.TomcatWebServer", "Tomcat initialized with port 8080 (http)", "boot_tomcat_init"),
            (4.3, "INFO", "org.apache.catalina.core.StandardService", "Starting service [Tomcat]", "boot_tomcat_service"),
            (4.3, "INFO", "org.apache.catalina.core.StandardEngine", "Starting Servlet engine: [Apache Tomcat/10.1.19]", "boot_tomcat_engine"),
            (4.5, "INFO", "org.apache.catalina.core.ContainerBase.[Tomcat].[localhost].[/]", "Initializing Spring embedded WebApplicationContext",
             "boot_ctx"),
            (4.5, "INFO", "org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext",
             f"Root WebApplicationContext: initialization completed in {rng.randint(3700, 4300)} ms", "boot_ctx_done"),
            (5.1, "INFO", "org.hibernate.jpa.internal.util.LogHelper", "HHH000204: Processing PersistenceUnitInfo [name: default]", "boot_hhh204"),
            (5.2, "INFO", "org.hibernate.Version", "HHH000412: Hibernate ORM core version 6.4.4.Final", "boot_hhh412"),
            (5.9, "INFO", "com.zaxxer.hikari.HikariDataSource", "HikariPool-1 - Starting...", "boot_hikari_starting"),
            (6.2, "INFO", "com.zaxxer.hikari.pool.HikariPool", f"HikariPool-1 - Added connection org.postgresql.jdbc.PgConnection@{hexs(rng, 8).lstrip('0')}",
             "boot_hikari_added"),
            (6.2, "INFO", "com.zaxxer.hikari.HikariDataSource", "HikariPool-1 - Start completed.", "boot_hikari_done"),
            (6.3, "WARN", "org.hibernate.orm.deprecation",
             "HHH90000025: PostgreSQLDialect does not need to be specified explicitly using 'hibernate.dialect' (remove the property setting "
             "and it will be selected by default)", "boot_hhh_dialect"),
            (8.4, "INFO", "org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean",
             "Initialized JPA EntityManagerFactory for persistence unit 'default'", "boot_emf"),
            (9.6, "WARN", "org.springframework.boot.autoconfigure.orm.jpa.JpaBaseConfiguration$JpaWebConfiguration",
             "spring.jpa.open-in-view is enabled by default. Therefore, database queries may be performed during view rendering. Explicitly "
             "configure spring.jpa.open-in-view to disable this warning", "boot_osiv"),
            (12.8, "INFO", "org.springframework.boot.actuate.endpoint.web.EndpointLinksResolver", "Exposing 3 endpoint(s) beneath base path '/actuator'",
             "boot_actuator"),
            (13.6, "INFO", "org.springframework.boot.web.embedded.tomcat.TomcatWebServer", "Tomcat started on port 8080 (http) with context path ''",
             "boot_tomcat_started"),
        ]
        for dt_, lvl, lg, txt, tpl in steps:
            app(t + sec(dt_ + rng.uniform(0, 0.05)), pod, lvl, "main", lg, txt, tpl)
        up = 13.7 + rng.uniform(0, 1.5)
        app(t + sec(up), pod, "INFO", "main", main, f"Started OrderServiceApplication in {up - 1.1:.3f} seconds (process running for {up:.3f})",
            "boot_started")

    for k, (t, pod) in enumerate(OOMS):
        q = "from=2023-01-01&to=2024-04-09&format=csv"
        th = exec_thread()
        app(t, pod, "INFO", th, "com.acme.shop.orders.admin.OrderExportController",
            f"CSV export requested by svc-ops-reporting: orders 2023-01-01..2024-04-09 (all channels, attempt {k + 1})", "export_requested")
        gc = t + sec(rng.uniform(38, 52))
        app(gc, pod, "WARN", "HikariPool-1 housekeeper", "com.zaxxer.hikari.pool.HikariPool",
            f"HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta={rng.randint(41, 58)}s{rng.randint(100, 999)}ms).",
            "hikari_starvation")
        oom = gc + sec(rng.uniform(9, 16))
        rec(oom, pod, "order-service", "stdout", "java.lang.OutOfMemoryError: Java heap space", "jvm_oom")
        rec(oom + sec(0.002), pod, "order-service", "stdout", "Dumping heap to /dumps/java_pid1.hprof ...", "jvm_dump")
        rec(oom + sec(6.8), pod, "order-service", "stdout",
            f"Heap dump file created [{rng.randint(1880000000, 2050000000)} bytes in {rng.uniform(6.1, 7.4):.3f} secs]", "jvm_dump_done")
        rec(oom + sec(6.81), pod, "order-service", "stderr", "Terminating due to java.lang.OutOfMemoryError: Java heap space", "jvm_terminating")
        dead = oom + sec(6.82)
        envoy(dead + sec(0.001), pod, "GET", f"/api/v1/admin/orders/export?{q}", 503, "UC",
              "upstream_reset_before_response_started{connection_termination}", 0, 95, int((dead - t).total_seconds() * 1000), "-", "envoy_uc")
        for _ in range(rng.randint(1, 2)):
            kind = rng.choice(["get_cart", "cart_item"])
            verb, ptpl = O_ENDPOINTS[kind][0], O_ENDPOINTS[kind][1]
            envoy(dead + sec(rng.uniform(0.001, 0.004)), pod, verb, ptpl.replace("{id}", cart_id()), 503, "UC",
                  "upstream_reset_before_response_started{connection_termination}", rng.randint(0, 700), 95, rng.randint(2000, 9000), "-", "envoy_uc")
        for _ in range(rng.randint(1, 2)):
            kind = rng.choice(["get_cart", "cart_item", "get_order"])
            verb, ptpl = O_ENDPOINTS[kind][0], O_ENDPOINTS[kind][1]
            ident = order_id() if kind == "get_order" else cart_id()
            envoy(dead + sec(rng.uniform(0.5, 3.0)), pod, verb, ptpl.replace("{id}", ident), 503, "UF",
                  "upstream_reset_before_response_started{connection_failure,delayed_connect_error:_Connection_refused}",
                  rng.randint(0, 700), 145, 0, "-", "envoy_uf", ufr="delayed_connect_error:_Connection_refused")
        boot(dead + sec(rng.uniform(9, 14)), pod)

    # ---- routine noise
    for pod in O_PODS:
        # istiod closes the xDS stream about every 30 min; the sidecar reconnects
        t = T0 + sec(rng.uniform(10, 1800))
        while t < T1:
            if not inside(t, QUIET):
                rec(t, pod, "istio-proxy", "stderr",
                    f"{iso_us(t)}\twarning\tenvoy config external/envoy/source/extensions/config_subscription/grpc/grpc_stream.h:152\t"
                    f"StreamAggregatedResources gRPC config stream to xds-grpc closed since {rng.randint(1780, 1830)}s ago: 13, \tthread=15",
                    "xds_closed")
                t2 = t + sec(rng.uniform(0.05, 0.4))
                rec(t2, pod, "istio-proxy", "stdout",
                    f"{iso_us(t2)}\tinfo\txdsproxy\tconnected to upstream XDS server: istiod.istio-system.svc:15012\tid={rng.randint(4, 90)}",
                    "xds_connected")
            t += sec(1800 + rng.uniform(-40, 40))
        # the outbox relay runs everywhere; it only logs when it moved something
        for t in poisson(rng, T0, T1, 5.0, day):
            app(t, pod, "INFO", "scheduling-1", "com.acme.shop.orders.outbox.OutboxRelay",
                f"Relayed {rng.randint(1, 40)} outbox events to orders.events in {rng.randint(12, 90)} ms", "outbox")
        for t in poisson(rng, T0, T1, 1.6, day):
            if inside(t, QUIET):
                continue
            pc = f"{rng.randint(1, 9999):0{rng.choice([3, 4, 6])}d}"
            th = exec_thread()
            app(t, pod, "WARN", th, "org.springframework.web.servlet.mvc.support.DefaultHandlerExceptionResolver",
                "Resolved [org.springframework.web.bind.MethodArgumentNotValidException: Validation failed for argument [1] in public "
                "org.springframework.http.ResponseEntity<com.acme.shop.orders.web.dto.OrderResponse> com.acme.shop.orders.web.CartController"
                ".checkout(java.lang.String,com.acme.shop.orders.web.dto.CheckoutRequest): [Field error in object 'checkoutRequest' on field "
                f"'shippingAddress.postalCode': rejected value [{pc}]; codes [Pattern.checkoutRequest.shippingAddress.postalCode,"
                "Pattern.shippingAddress.postalCode,Pattern.postalCode,Pattern.java.lang.String,Pattern]; arguments "
                "[org.springframework.context.support.DefaultMessageSourceResolvable: codes [checkoutRequest.shippingAddress.postalCode,"
                "shippingAddress.postalCode]; arguments []; default message [shippingAddress.postalCode],[Ljakarta.validation.constraints."
                f"Pattern$Flag;@{hexs(rng, 8).lstrip('0')},\\d{{5}}]; default message [must match \"\\d{{5}}\"]] ]", "validation_warn")
            envoy(t + sec(0.002), pod, "POST", f"/api/v1/carts/{cart_id()}/checkout", 400, "-", "via_upstream", rng.randint(300, 900),
                  rng.randint(180, 260), rng.randint(6, 30), rng.randint(5, 29), "envoy_400")
        for t in poisson(rng, T0, T1, 1.2, day):
            if inside(t, QUIET):
                continue
            oid = order_id()
            app(t, pod, "WARN", exec_thread(), "com.acme.shop.orders.web.ApiExceptionHandler",
                f"Order {oid} not found (customer {rng.randint(10000, 99999)})", "order_not_found")
            envoy(t + sec(0.002), pod, "GET", f"/api/v1/orders/{oid}", 404, "-", "via_upstream", 0, rng.randint(90, 120), rng.randint(4, 20),
                  rng.randint(3, 19), "envoy_404")
        for t in poisson(rng, T0, T1, 0.5, day):
            if inside(t, QUIET):
                continue
            app(t, pod, "WARN", exec_thread(), "com.acme.shop.orders.payment.PspClient",
                f"PSP call authorise took {rng.randint(3100, 6900)} ms (threshold 3000 ms), pspReference={rng.randint(10**15, 10**16 - 1)}",
                "psp_slow")
        for t in poisson(rng, T0, T1, 4.0, day):
            app(t, pod, "INFO", exec_thread(), "com.acme.shop.orders.payment.PaymentWebhookController",
                f"Payment captured for order {order_id()} (psp=adyen, pspReference={rng.randint(10**15, 10**16 - 1)})", "payment_captured")
    return L.build()


def facts_orders(records):
    def first(pred):
        return next(r for r in records if pred(r))

    job_apply = first(lambda r: "applying in a single transaction" in r["message"])["timestamp"]
    commit = first(lambda r: r["message"].endswith("s") and "Full resync committed" in r["message"])
    hik_first = {}
    for r in records:
        if "SqlExceptionHelper" in r["message"] and "Connection is not available" in r["message"]:
            hik_first.setdefault(r["kubernetes"]["pod_name"], r["timestamp"])
    dur = re.search(r"in ([0-9.]+s)$", commit["message"]).group(1)
    return {"job_apply": job_apply, "commit": commit["timestamp"], "commit_dur": dur, "hik_first": hik_first}


def plus(ts, seconds):
    return iso_us(datetime.fromisoformat(ts.replace("Z", "+00:00")) + sec(seconds))


ORD_PROBLEM = [
    {"msg": r"^\S+ +(WARN|ERROR) 1 --- "},
    {"msg": r"OutOfMemoryError"},
    {"msg": r'^\[\S+\] "[A-Z]+ \S+ HTTP/1\.1" (5\d\d|0) ', "field": {"kubernetes.container_name": "istio-proxy"}},
    {"msg": r"^\S+\t(warning|error|critical)\t", "field": {"kubernetes.container_name": "istio-proxy"}},
]


def questions_orders(f):
    def problems(since, until):
        return [dict(r, since=since, until=until) for r in ORD_PROBLEM]

    pods = sorted(f["hik_first"].items(), key=lambda kv: kv[1])
    return [
        q("broad",
          "got paged at 14:08 utc for order-service latency, add to cart is spinning forever for customers. what went wrong between "
          "14:06 and 14:08 on apr 9?",
          ["downstream_remote_disconnect", "/items"],
          problems("2024-04-09T14:06:00Z", "2024-04-09T14:08:00Z")),
        q("lexical",
          "now the traces all say 'HikariPool-1 - Connection is not available, request timed out after'. which pods, and when did it "
          "start on eahc?",
          ["HikariPool-1", pods[0][0]],
          [{"msg": r"SqlExceptionHelper +: HikariPool-1 - Connection is not available", "field": {"kubernetes.pod_name": re.escape(p)},
            "until": plus(ts, 15)} for p, ts in pods]),
        q("paraphrase",
          "something must be sitting on the stock table. was some batch job hogging it right when this kicked off?",
          ["single transaction", "inventory-sync-manual-0409"],
          {"msg": r"^\S+ +INFO 1 --- \[inventory-sync\] .* : Full resync", "since": "2024-04-09T13:00:00Z", "until": "2024-04-09T15:00:00Z"}),
        q("follow-up",
          "how long did it hang on to them, and did orders go thru again after it let go?",
          [f["commit_dur"], "placed for cart"],
          [{"msg": r"Full resync committed"},
           {"msg": r"CheckoutService +: Order ORD-\S+ placed", "since": f["commit"], "until": plus(f["commit"], 120)}]),
        q("lexical",
          f"support escalated cart {O_TICKET_CART}, custmer says checkout failed three times between 14:09 and 14:15. what did "
          "order-service log for that cart?",
          ["statement timeout", "Connection is not available"],
          {"msg": re.escape(O_TICKET_CART)}),
        q("broad",
          "unrelated: order-service pods restarted 3 times overnight according to grafana. anything wrong between 03:10 and 03:25 utc "
          "on apr 10?",
          ["OutOfMemoryError", "export"],
          problems("2024-04-10T03:10:00Z", "2024-04-10T03:25:00Z")),
    ]


# =============================================================================================
# 2. elastic: the Elasticsearch 8.12 cluster `logs-prod` (es-master-1..3, es-data-1..4, the
#    coordinating node es-coord-1 behind Kibana). At 19:42 on the 16th someone opens a dashboard
#    whose TSVB panel runs a 90-day terms aggregation on source.ip with size 65535 over
#    logs-netflow-*, with auto-refresh every minute. es-data-3, which holds the biggest netflow
#    shards, fills its 31 GB heap: search slow log entries of 10-40 s, GC overhead warnings,
#    old-generation collections that stop the world for up to half a minute, the real-memory
#    circuit breaker (`GC did not bring memory usage down`, Logstash bulk requests rejected with
#    `[parent] Data too large` in error.message). Three times (20:03, 20:27, 20:49) the elected
#    master es-master-2 drops it (`node-left ... followers check retry count exceeded
#    [timeouts=3, failures=0]`); because the new template for logs-audit-* (added at 23:48 on
#    the 15th) has 0 replicas, logs-audit-2024.04.16 loses a primary each time and the cluster
#    goes RED, not YELLOW, until es-data-3 rejoins. The dashboard is closed at 20:58.
#    Unrelated, that morning: logs-nginx-000012 was created by a rollover from a template
#    without index.lifecycle.rollover_alias, so ILM fails on it and it never rolls over; es-data-1
#    fills up past the low (08:05), high (09:02) and flood-stage (09:41) disk watermarks; all its
#    indices become read-only (Logstash gets 429s) until the on-call deletes old nginx indices and
#    the block is released at 09:55. UTC throughout.

E_NODES = {
    "es-master-1": ("10.20.4.1", "m"), "es-master-2": ("10.20.4.2", "m"), "es-master-3": ("10.20.4.3", "m"),
    "es-data-1": ("10.20.4.11", "dhi"), "es-data-2": ("10.20.4.12", "dhi"), "es-data-3": ("10.20.4.13", "dhi"),
    "es-data-4": ("10.20.4.14", "dhi"), "es-coord-1": ("10.20.4.21", "-"),
}
E_MASTER = "es-master-2"
E_SICK = "es-data-3"
E_FULL = "es-data-1"
E_LOGGERS = {
    "gc": "org.elasticsearch.monitor.jvm.JvmGcMonitorService",
    "master": "org.elasticsearch.cluster.service.MasterService",
    "applier": "org.elasticsearch.cluster.service.ClusterApplierService",
    "alloc": "org.elasticsearch.cluster.routing.allocation.AllocationService",
    "disk": "org.elasticsearch.cluster.routing.allocation.DiskThresholdMonitor",
    "transport": "org.elasticsearch.transport.TransportService",
    "info": "org.elasticsearch.cluster.InternalClusterInfoService",
    "breaker": "org.elasticsearch.indices.breaker.HierarchyCircuitBreakerService",
    "rest": "rest.suppressed",
    "coord": "org.elasticsearch.cluster.coordination.Coordinator",
    "delayed": "org.elasticsearch.cluster.routing.DelayedAllocationService",
    "create": "org.elasticsearch.cluster.metadata.MetadataCreateIndexService",
    "mapping": "org.elasticsearch.cluster.metadata.MetadataMappingService",
    "delete": "org.elasticsearch.cluster.metadata.MetadataDeleteIndexService",
    "template": "org.elasticsearch.cluster.metadata.MetadataIndexTemplateService",
    "ilm_move": "org.elasticsearch.xpack.ilm.IndexLifecycleTransition",
    "ilm_run": "org.elasticsearch.xpack.ilm.IndexLifecycleRunner",
    "slm": "org.elasticsearch.xpack.slm.SnapshotLifecycleTask",
    "snap": "org.elasticsearch.snapshots.SnapshotsService",
    "authn": "org.elasticsearch.xpack.security.authc.RealmsAuthenticator",
    "tcp": "org.elasticsearch.transport.TcpTransport",
    "geoip": "org.elasticsearch.ingest.geoip.DatabaseNodeService",
}
E_DASH = "6b1a0d30-fb1c-11ee-a3c1-77e1e2b7c9d4"
E_VIS = "8d3c19f0-fb1c-11ee-a3c1-77e1e2b7c9d4"
E_AUDIT = "logs-audit-2024.04.16"


def gb(b):
    return f"{b / 2**30:.1f}gb"


def gen_elastic():
    rng = random.Random(20240416)
    L = Log()

    def at(d, hh, mm, ss=0.0):
        return datetime(2024, 4, d, hh, mm, tzinfo=UTC) + sec(ss)

    T0, T1 = at(15, 23, 40), at(17, 8, 0)
    CUUID = b64id(rng)
    NID = {n: b64id(rng) for n in E_NODES}
    EPH = {n: b64id(rng) for n in E_NODES}
    UP_SINCE = {n: T0 - sec(86400 * rng.uniform(20, 45)) for n in E_NODES}
    DASH_START, DASH_END = at(16, 19, 42, 10.4), at(16, 20, 58, 31.0)
    DROPS = [at(16, 20, 3, 41.522), at(16, 20, 27, 12.871), at(16, 20, 49, 55.214)]
    BACK = [d + sec(s) for d, s in zip(DROPS, (52.3, 61.8, 148.6))]
    GREEN_AT = [b + sec(s) for b, s in zip(BACK, (263.0, 311.0, 402.0))]
    QUIET = [(at(16, 19, 57), at(16, 20, 7)), (at(16, 9, 30), at(16, 10, 5))]
    version = [731200]
    term = 14

    def dn(n):
        ip, roles = E_NODES[n]
        return f"{{{n}}}{{{NID[n]}}}{{{EPH[n]}}}{{{n}}}{{{ip}}}{{{ip}:9300}}{{{roles}}}{{8.12.2}}{{7000099-8500010}}"

    def erec(dt, level, node, logger, thread, msg, tpl, dataset="elasticsearch.server", error=None, extra=None, msg_last=False):
        r = {"timestamp": iso_ms(dt), "@timestamp": iso_ms(dt), "log.level": level}
        if not msg_last:
            r["message"] = msg
        if extra:
            r.update(extra)
        r.update({"ecs.version": "1.2.0", "service.name": "ES_ECS", "event.dataset": dataset,
                  "process.thread.name": f"elasticsearch[{node}][{thread}]", "log.logger": E_LOGGERS.get(logger, logger),
                  "elasticsearch.cluster.uuid": CUUID, "elasticsearch.node.id": NID[node], "elasticsearch.node.name": node,
                  "elasticsearch.cluster.name": "logs-prod"})
        if error:
            r["error.type"], r["error.message"], r["error.stack_trace"] = error
        if msg_last:
            r["message"] = msg
        L.add(dt, tpl, r)

    def gc_seq(node, t):
        return int((t - UP_SINCE[node]).total_seconds())

    gc_count = {n: {"young": rng.randint(40000, 90000), "old": rng.randint(20, 300)} for n in E_NODES}
    gc_total = {n: {"young": rng.uniform(2.0, 4.0) * 3600, "old": rng.uniform(0.2, 0.9) * 3600} for n in E_NODES}

    def hm(s):
        return f"{s / 3600:.1f}h" if s >= 3600 else f"{s / 60:.1f}m"

    def gc_line(node, t, kind, dur, heap_before, heap_after, level):
        gc_count[node][kind] += 1
        gc_total[node][kind] += dur
        young_b = 0 if kind == "old" else rng.uniform(0.8, 1.9) * 2**30
        surv_b = rng.uniform(64, 256) * 2**20
        pools = (f"{{[young] [{gb(young_b) if young_b else '0b'}]->[0b]/[0b]}}{{[old] [{gb(heap_before - young_b - surv_b)}]->"
                 f"[{gb(heap_after - rng.uniform(40, 120) * 2**20)}]/[31gb]}}{{[survivor] [{int(surv_b / 2**20)}mb]->"
                 f"[{0 if kind == 'old' else int(surv_b / 2**20 * 0.8)}{'b' if kind == 'old' else 'mb'}]/[0b]}}")
        erec(t, level, node, "gc", "scheduler][T#1",
             f"[gc][{kind}][{gc_seq(node, t)}][{gc_count[node][kind]}] duration [{dur:.1f}s], collections [1]/[{dur + rng.uniform(0.2, 0.7):.1f}s], "
             f"total [{dur:.1f}s]/[{hm(gc_total[node][kind])}], memory [{gb(heap_before)}]->[{gb(heap_after)}]/[31gb], all_pools {pools}",
             f"gc_{kind}_{level.lower()}")

    def gc_overhead(node, t, spent, last, level):
        unit_s = f"{spent:.1f}s" if spent >= 1 else f"{int(spent * 1000)}ms"
        erec(t, level, node, "gc", "scheduler][T#1", f"[gc][{gc_seq(node, t)}] overhead, spent [{unit_s}] collecting in the last [{last:.1f}s]"
             if last >= 1.5 else f"[gc][{gc_seq(node, t)}] overhead, spent [{unit_s}] collecting in the last [1s]", f"gc_overhead_{level.lower()}")

    def publish(t, reason_msg, delta, tpl):
        version[0] += rng.randint(1, 4)
        v = version[0]
        erec(t, "INFO", E_MASTER, "master", "masterService#updateTask][T#1", f"{reason_msg}, term: {term}, version: {v}, delta: {delta}", tpl)
        erec(t + sec(rng.uniform(0.02, 0.06)), "INFO", E_MASTER, "applier", "clusterApplierService#updateTask][T#1",
             f"{delta}, term: {term}, version: {v}, reason: Publication{{term={term}, version={v}}}", tpl + "_applied_master")
        for n in E_NODES:
            if n in (E_MASTER, E_SICK):
                continue
            erec(t + sec(rng.uniform(0.03, 0.25)), "INFO", n, "applier", "clusterApplierService#updateTask][T#1",
                 f"{delta}, term: {term}, version: {v}, reason: ApplyCommitRequest{{term={term}, version={v}, sourceNode={dn(E_MASTER)}}}",
                 tpl + "_applied")
        return v

    def health(t, frm, to, reason):
        erec(t, "INFO", E_MASTER, "alloc", "masterService#updateTask][T#1",
             f"Cluster health status changed from [{frm}] to [{to}] (reason: [{reason}]).", f"health_{frm}_{to}".lower())

    # ---- indices
    netflow_days = [(at(16, 0, 0) - sec(86400 * k)).strftime("%Y.%m.%d") for k in range(0, 91)]
    sick_shards = [(f"logs-netflow-{d}", rng.randint(0, 2)) for d in rng.sample(netflow_days[5:], 22)]
    ds = {"logs-app-default": [118, 6.0], "logs-k8s-default": [341, 3.0], "metrics-system-default": [77, 8.0], "logs-traefik-default": [52, 12.0]}

    def ds_index(name, gen_, t):
        return f".ds-{name}-{t.strftime('%Y.%m.%d')}-{gen_:06d}"

    # ---- the logs-audit template (0 replicas) and the daily indices created at midnight
    erec(at(15, 23, 48, 17.302), "INFO", E_MASTER, "template", "masterService#updateTask][T#1",
         "adding index template [logs-audit] for index patterns [logs-audit-*]", "template_added")
    t = at(16, 0, 0, 2.113)
    erec(t, "INFO", E_MASTER, "create", "masterService#updateTask][T#1",
         f"[logs-netflow-{netflow_days[0]}] creating index, cause [auto(bulk api)], templates [logs-netflow], shards [3]/[1]", "create_daily")
    erec(t + sec(0.811), "INFO", E_MASTER, "create", "masterService#updateTask][T#1",
         f"[{E_AUDIT}] creating index, cause [auto(bulk api)], templates [logs-audit], shards [2]/[0]", "create_daily")
    erec(at(17, 0, 0, 1.874), "INFO", E_MASTER, "create", "masterService#updateTask][T#1",
         "[logs-netflow-2024.04.17] creating index, cause [auto(bulk api)], templates [logs-netflow], shards [3]/[1]", "create_daily")
    erec(at(17, 0, 0, 2.902), "INFO", E_MASTER, "create", "masterService#updateTask][T#1",
         "[logs-audit-2024.04.17] creating index, cause [auto(bulk api)], templates [logs-audit], shards [2]/[0]", "create_daily")
    for day_, old in ((16, "2024.01.16"), (17, "2024.01.17")):
        t = at(day_, 1, 10, rng.uniform(0, 50))
        erec(t, "INFO", E_MASTER, "delete", "masterService#updateTask][T#1", f"[logs-netflow-{old}/{b64id(rng)}] deleting index", "ilm_delete")

    # ---- data stream rollovers driven by ILM
    for name, (gen_, every_h) in ds.items():
        t = T0 + sec(rng.uniform(0, every_h * 3600))
        while t < T1:
            if not inside(t, QUIET):
                old_ix = ds_index(name, gen_, t - sec(every_h * 3600))
                erec(t, "INFO", E_MASTER, "ilm_move", "masterService#updateTask][T#1",
                     f'moving index [{old_ix}] from [{{"phase":"hot","action":"rollover","name":"check-rollover-ready"}}] to '
                     f'[{{"phase":"hot","action":"rollover","name":"attempt-rollover"}}] in policy [{name.split("-default")[0]}]', "ilm_move")
                gen_ += 1
                erec(t + sec(rng.uniform(0.2, 0.6)), "INFO", E_MASTER, "create", "masterService#updateTask][T#1",
                     f"[{ds_index(name, gen_, t)}] creating index, cause [rollover_data_stream], templates [{name.split('-default')[0]}], "
                     f"shards [{3 if 'app' in name or 'k8s' in name else 1}]/[1]", "create_rollover")
                erec(t + sec(rng.uniform(0.7, 1.4)), "INFO", E_MASTER, "ilm_move", "masterService#updateTask][T#1",
                     f'moving index [{old_ix}] from [{{"phase":"hot","action":"rollover","name":"attempt-rollover"}}] to '
                     f'[{{"phase":"hot","action":"rollover","name":"wait-for-active-shards"}}] in policy [{name.split("-default")[0]}]', "ilm_move")
            t += sec(every_h * 3600 + rng.uniform(-600, 600))
        ds[name][0] = gen_
    for t in poisson(rng, T0, T1, 9.0):
        name = rng.choice(sorted(ds))
        erec(t, "INFO", E_MASTER, "mapping", "masterService#updateTask][T#1",
             f"[{ds_index(name, ds[name][0], t)}/{b64id(rng)}] update_mapping [_doc]", "update_mapping")

    # ---- routine GC chatter, security noise, a port scanner, snapshots, geoip, deprecations
    for t in poisson(rng, T0, T1, 21.0):
        n = rng.choice([x for x in sorted(E_NODES) if x != E_SICK or not (DASH_START <= t < DASH_END)])
        gc_overhead(n, t, rng.uniform(0.26, 0.48), 1.0, "INFO")
    for t in poisson(rng, T0, T1, 2.0):
        if inside(t, QUIET):
            continue
        n = rng.choice(["es-data-1", "es-data-2", "es-data-4", "es-coord-1"])
        erec(t, "WARN", n, "authn", f"transport_worker][T#{rng.randint(1, 8)}",
             "Authentication to realm native1 failed - Password authentication failed for logstash_legacy", "authn_failed")
    for t in poisson(rng, T0, T1, 0.3):
        if inside(t, QUIET):
            continue
        n = rng.choice(["es-data-2", "es-data-4", "es-coord-1"])
        ip = E_NODES[n][0]
        erec(t, "WARN", n, "tcp", f"transport_worker][T#{rng.randint(1, 8)}",
             f"exception caught on transport layer [Netty4TcpChannel{{localAddress=/{ip}:9300, remoteAddress=/10.30.{rng.randint(0, 9)}."
             f"{rng.randint(2, 250)}:{rng.randint(30000, 60999)}, profile=default}}], closing connection", "tcp_garbage",
             error=("io.netty.handler.codec.DecoderException", "org.elasticsearch.common.io.stream.StreamCorruptedException: received "
                    "HTTP response on transport port, ensure that transport port (not HTTP port) of a remote node is specified in the "
                    "configuration",
                    "io.netty.handler.codec.DecoderException: org.elasticsearch.common.io.stream.StreamCorruptedException: received HTTP "
                    "response on transport port, ensure that transport port (not HTTP port) of a remote node is specified in the "
                    "configuration\n\tat io.netty.handler.codec.ByteToMessageDecoder.callDecode(ByteToMessageDecoder.java:499)\n\tat "
                    "io.netty.handler.codec.ByteToMessageDecoder.channelRead(ByteToMessageDecoder.java:290)"))
    for t in poisson(rng, T0, T1, 3.0):
        if inside(t, QUIET):
            continue
        erec(t, rng.choice(["WARN", "WARN", "CRITICAL"]), "es-coord-1", "org.elasticsearch.deprecation.rest.action.search.RestSearchAction",
             f"http_server_worker][T#{rng.randint(1, 8)}",
             "[ignore_throttled] parameter is deprecated because frozen indices have been deprecated. Consider cold or frozen tiers in "
             "place of frozen indices.", "deprecation", dataset="deprecation.elasticsearch",
             extra={"elasticsearch.event.category": "api", "event.code": "ignore_throttled_param", "data_stream.dataset": "deprecation.elasticsearch",
                    "data_stream.namespace": "default", "data_stream.type": "logs",
                    "elasticsearch.http.request.x_opaque_id": f"{hexs(rng, 8)}-{hexs(rng, 4)}-{hexs(rng, 4)}-{hexs(rng, 4)}-{hexs(rng, 12)}"})
    for d in (16, 17):
        t = at(d, 1, 30, rng.uniform(0, 2))
        snap = f"nightly-2024.04.{d:02d}-{''.join(rng.choice('abcdefghijklmnopqrstuvwxyz0123456789') for _ in range(22))}"
        suuid = b64id(rng)
        erec(t, "INFO", E_MASTER, "slm", "snapshot][T#1", f"snapshot lifecycle policy [nightly-snapshots] issuing create snapshot [{snap}]",
             "slm_issue")
        erec(t + sec(0.4), "INFO", E_MASTER, "snap", "masterService#updateTask][T#1", f"snapshot [s3_repository:{snap}/{suuid}] started", "snap_started")
        erec(t + sec(rng.uniform(900, 1500)), "INFO", E_MASTER, "snap", "snapshot][T#2",
             f"snapshot [s3_repository:{snap}/{suuid}] completed with state [SUCCESS]", "snap_done")
        erec(t + sec(rng.uniform(1600, 1700)), "INFO", E_MASTER, "slm", "generic][T#7", "starting SLM retention snapshot cleanup task", "slm_ret")
        erec(t + sec(rng.uniform(1710, 1800)), "INFO", E_MASTER, "slm", "generic][T#7", "SLM retention snapshot cleanup task complete", "slm_ret_done")
    for n in sorted(E_NODES):
        if E_NODES[n][1] == "dhi":
            t = at(16, 4, 11, rng.uniform(0, 60))
            erec(t, "INFO", n, "geoip", "generic][T#3", "successfully reloaded changed geoip database file [/tmp/elasticsearch-7735/geoip-databases/"
                 f"{NID[n]}/GeoLite2-City.mmdb]", "geoip_reload")

    # ---- routine slow queries (not the dashboard)
    def slowlog(t, node, index, shard, took_ms, level, source, xid, total_shards, hits):
        took = f"{took_ms / 1000:.1f}s" if took_ms >= 1000 else f"{took_ms}ms"
        text = (f"[{index}][{shard}] took[{took}], took_millis[{took_ms}], total_hits[{hits}], stats[], search_type[QUERY_THEN_FETCH], "
                f"total_shards[{total_shards}], source[{source}], id[{xid}]")
        extra = {"elasticsearch.slowlog.id": xid, "elasticsearch.slowlog.message": f"[{index}][{shard}]",
                 "elasticsearch.slowlog.search_type": "QUERY_THEN_FETCH", "elasticsearch.slowlog.source": source,
                 "elasticsearch.slowlog.stats": "[]", "elasticsearch.slowlog.took": took, "elasticsearch.slowlog.took_millis": took_ms,
                 "elasticsearch.slowlog.total_hits": hits, "elasticsearch.slowlog.total_shards": total_shards}
        erec(t, level, node, "index.search.slowlog.query", f"search][T#{rng.randint(1, 13)}", text, f"slowlog_{level.lower()}",
             dataset="elasticsearch.index_search_slowlog", extra=extra, msg_last=True)

    for t in poisson(rng, T0, T1, 3.0):
        n = rng.choice(["es-data-1", "es-data-2", "es-data-4"])
        ix = ds_index("logs-app-default", rng.randint(100, 118), t)
        took = rng.randint(5100, 14000)
        q_ = ('{"size":500,"query":{"bool":{"filter":[{"range":{"@timestamp":{"gte":"now-7d"}}},{"query_string":{"query":"message:*timeout*"}}]}},'
              '"sort":[{"@timestamp":{"order":"desc"}}]}')
        slowlog(t, n, ix, rng.randint(0, 2), took, "WARN" if took >= 10000 else "INFO", q_,
                f"{hexs(rng, 8)}-{hexs(rng, 4)}-{hexs(rng, 4)}-{hexs(rng, 4)}-{hexs(rng, 12)};kibana:application:discover:new",
                rng.randint(40, 60), f"{rng.randint(100, 9000)} hits")

    # ---- the dashboard: a 90-day terms agg on source.ip, size 65535, every minute
    session = f"{hexs(rng, 8)}-{hexs(rng, 4)}-{hexs(rng, 4)}-{hexs(rng, 4)}-{hexs(rng, 12)}"
    xid = f"{session};kibana:application:dashboards:{E_DASH};visualization:TSVB:{E_VIS}"

    def out_of_cluster(t):
        return any(d <= t < b for d, b in zip(DROPS, BACK))

    t = DASH_START
    while t < DASH_END:
        lte = t.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        gte = (t - sec(90 * 86400)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        src = ('{"size":0,"timeout":"30000ms","query":{"bool":{"filter":[{"range":{"@timestamp":{"gte":"' + gte + '","lte":"' + lte
               + '","format":"strict_date_optional_time"}}}]}},"aggregations":{"0":{"terms":{"field":"source.ip","size":65535,'
               '"shard_size":98312,"min_doc_count":1,"order":[{"1":"desc"},{"_key":"asc"}]},"aggregations":{"1":{"sum":{"field":'
               '"network.bytes"}},"2":{"terms":{"field":"destination.port","size":100}}}}}}')
        if not out_of_cluster(t):
            for ix, sh in rng.sample(sick_shards, rng.randint(1, 2)):
                took = rng.randint(10400, 41800)
                slowlog(t + sec(took / 1000.0), E_SICK, ix, sh, took, "WARN", src, xid, 273, f"{rng.randint(4000000, 9000000)}+ hits")
        if rng.random() < 0.5:
            took = rng.randint(5200, 9800)
            slowlog(t + sec(took / 1000.0), rng.choice(["es-data-2", "es-data-4"]), f"logs-netflow-{rng.choice(netflow_days)}", rng.randint(0, 2),
                    took, "INFO", src, xid, 273, f"{rng.randint(4000000, 9000000)}+ hits")
        t += sec(60 + rng.uniform(0.1, 2.5))

    # ---- es-data-3's heap under that load: three episodes ending in a drop
    starts = [DASH_START + sec(290), BACK[0] + sec(150), BACK[1] + sec(140)]
    breaker_limit = int(31 * 2**30 * 0.95)
    for k, (s0, drop) in enumerate(zip(starts, DROPS)):
        span = (drop - s0).total_seconds()
        t = s0
        while t < drop - sec(40):
            frac = (t - s0).total_seconds() / span
            if frac < 0.35:
                gc_overhead(E_SICK, t, rng.uniform(0.6, 1.4), rng.uniform(1.6, 2.4), "WARN" if rng.random() < 0.5 else "INFO")
            elif frac < 0.7:
                d = rng.uniform(1.1, 2.6)
                gc_line(E_SICK, t, "young", d, rng.uniform(28.4, 29.6) * 2**30, rng.uniform(27.0, 28.3) * 2**30, "WARN")
                gc_overhead(E_SICK, t + sec(0.01), d, d + rng.uniform(0.4, 0.9), "WARN")
            else:
                d = rng.uniform(10.5, 17.5)
                gc_line(E_SICK, t, "old", d, rng.uniform(30.2, 30.8) * 2**30, rng.uniform(29.4, 30.1) * 2**30, "WARN")
                gc_overhead(E_SICK, t + sec(0.01), d, d + rng.uniform(0.3, 0.8), "WARN")
                before = rng.randint(int(30.3 * 2**30), int(30.9 * 2**30))
                erec(t + sec(rng.uniform(1, 4)), "INFO", E_SICK, "breaker", f"write][T#{rng.randint(1, 8)}",
                     f"attempting to trigger G1GC due to high heap usage [{before}]", "breaker_trigger")
                erec(t + sec(rng.uniform(4.1, 4.6)), "INFO", E_SICK, "breaker", f"write][T#{rng.randint(1, 8)}",
                     f"GC did not bring memory usage down, before [{before}], after [{before + rng.randint(-2**24, 2**26)}], allocations "
                     f"[{rng.randint(8, 64)}], duration [{rng.randint(90, 260)}]", "breaker_gc_failed")
                for _ in range(rng.randint(1, 2)):
                    used = rng.randint(breaker_limit + 2**24, int(31 * 2**30))
                    req = rng.randint(1024, 9000)
                    fd = rng.randint(10**6, 5 * 10**6)
                    acc = rng.randint(9 * 10**7, 2 * 10**8)
                    msg = (f"[parent] Data too large, data for [<http_request>] would be [{used}/{gb(used)}], which is larger than the limit of "
                           f"[{breaker_limit}/{gb(breaker_limit)}], real usage: [{used - req}/{gb(used - req)}], new bytes reserved: "
                           f"[{req}/{req / 1024:.1f}kb], usages [request=0/0b, fielddata={fd}/{fd / 2**20:.1f}mb, in_flight_requests={req}/"
                           f"{req / 1024:.1f}kb, model_inference=0/0b, eql_sequence=0/0b, accounting={acc}/{acc / 2**20:.1f}mb]")
                    erec(t + sec(rng.uniform(5, 20)), "WARN", E_SICK, "rest", f"http_server_worker][T#{rng.randint(1, 8)}",
                         "path: /_bulk, params: {}", "rest_breaker",
                         error=("org.elasticsearch.common.breaker.CircuitBreakingException", msg,
                                f"org.elasticsearch.common.breaker.CircuitBreakingException: {msg}\n"
                                "\tat org.elasticsearch.indices.breaker.HierarchyCircuitBreakerService.checkParentLimit(HierarchyCircuitBreakerService.java:440)\n"
                                "\tat org.elasticsearch.common.breaker.ChildMemoryCircuitBreaker.addEstimateBytesAndMaybeBreak(ChildMemoryCircuitBreaker.java:108)\n"
                                "\tat org.elasticsearch.http.DefaultRestChannel.sendResponse(DefaultRestChannel.java:92)\n"
                                "\tat org.elasticsearch.rest.RestController.tryAllHandlers(RestController.java:579)\n"
                                "\tat org.elasticsearch.rest.RestController.dispatchRequest(RestController.java:361)\n"
                                "\tat org.elasticsearch.http.AbstractHttpServerTransport.dispatchRequest(AbstractHttpServerTransport.java:477)"))
            t += sec(rng.uniform(55, 130) if frac < 0.7 else rng.uniform(45, 80))
        # the last stop-the-world collection: it starts ~34 s before the drop and ends just after it
        freeze = drop - sec(34.0 + rng.uniform(0, 1.5))
        thaw = drop + sec(rng.uniform(1.2, 3.5))
        erec(freeze + sec(15.2 + rng.uniform(0, 0.5)), "WARN", E_MASTER, "info", "management][T#3",
             f"failed to retrieve stats for node [{NID[E_SICK]}]: [{E_SICK}][{E_NODES[E_SICK][0]}:9300][cluster:monitor/nodes/stats[n]] "
             f"request_id [{rng.randint(10**7, 10**8)}] timed out after [{15000 + rng.randint(2, 12)}ms]", "stats_timeout")
        dur = (thaw - freeze).total_seconds()
        gc_line(E_SICK, thaw, "old", dur, rng.uniform(30.7, 30.95) * 2**30, rng.uniform(23.5, 25.0) * 2**30, "WARN")
        gc_overhead(E_SICK, thaw + sec(0.01), dur, dur + rng.uniform(0.2, 0.5), "WARN")
        reason = "followers check retry count exceeded [timeouts=3, failures=0]"
        v = publish(drop, f"node-left[{dn(E_SICK)} reason: {reason}]", f"removed {{{dn(E_SICK)}}}", "node_left")
        health(drop + sec(0.08), "GREEN", "RED", f"{dn(E_SICK)} reason: {reason}")
        erec(drop + sec(0.09), "INFO", E_MASTER, "delayed", "masterService#updateTask][T#1",
             f"scheduling reroute for delayed shards in [{rng.uniform(59.5, 59.9):.1f}s] ({rng.randint(36, 44)} delayed shards)", "delayed_reroute")
        for _ in range(rng.randint(1, 2)):
            sent = rng.uniform(20.5, 33.0)
            erec(thaw + sec(rng.uniform(0.05, 0.4)), "WARN", E_MASTER, "transport", f"transport_worker][T#{rng.randint(1, 8)}",
                 f"Received response for a request that has timed out, sent [{sent:.1f}s/{int(sent * 1000)}ms] ago, timed out "
                 f"[{sent - 10:.1f}s/{int((sent - 10) * 1000)}ms] ago, action [internal:coordination/fault_detection/follower_check], "
                 f"node [{dn(E_SICK)}], id [{rng.randint(10**8, 10**9)}]", "transport_late")
        erec(thaw + sec(0.5), "INFO", E_SICK, "coord", f"cluster_coordination][T#1",
             f"master node [{dn(E_MASTER)}] failed, restarting discovery", "coord_master_failed",
             error=("org.elasticsearch.transport.RemoteTransportException",
                    f"[{E_MASTER}][{E_NODES[E_MASTER][0]}:9300][internal:coordination/fault_detection/leader_check]",
                    f"org.elasticsearch.transport.RemoteTransportException: [{E_MASTER}][{E_NODES[E_MASTER][0]}:9300][internal:coordination/"
                    f"fault_detection/leader_check]\nCaused by: org.elasticsearch.cluster.coordination.CoordinationStateRejectedException: "
                    f"rejecting leader check since [{dn(E_SICK)}] has been removed from the cluster\n\tat org.elasticsearch.cluster."
                    "coordination.LeaderChecker.handleLeaderCheck(LeaderChecker.java:201)"))
        erec(thaw + sec(0.6), "INFO", E_SICK, "applier", "clusterApplierService#updateTask][T#1",
             f"master node changed {{previous [{dn(E_MASTER)}], current []}}, term: {term}, version: {v - 1}, reason: becoming candidate: "
             "onLeaderFailure", "applier_master_lost")
        back = BACK[k]
        ago = (back - drop).total_seconds()
        v2 = publish(back, f"node-join[{dn(E_SICK)} rejoining, removed [{ago / 60:.1f}m/{int(ago * 1000)}ms] ago with reason [{reason}]]",
                     f"added {{{dn(E_SICK)}}}", "node_join")
        erec(back + sec(0.3), "INFO", E_SICK, "applier", "clusterApplierService#updateTask][T#1",
             f"master node changed {{previous [], current [{dn(E_MASTER)}]}}, added {{{', '.join(dn(n) for n in sorted(E_NODES) if n != E_SICK)}}}, "
             f"term: {term}, version: {v2}, reason: ApplyCommitRequest{{term={term}, version={v2}, sourceNode={dn(E_MASTER)}}}", "applier_master_found")
        health(back + sec(rng.uniform(2.5, 4.5)), "RED", "YELLOW", f"shards started [[{E_AUDIT}][1]]")
        nf = rng.choice(sick_shards)
        health(GREEN_AT[k], "YELLOW", "GREEN", f"shards started [[{nf[0]}][{nf[1]}]]")

    # ---- unrelated, that morning: ILM cannot roll logs-nginx-000012 over; es-data-1 fills up
    t = at(16, 7, 10, 4.118)
    erec(t, "INFO", E_MASTER, "ilm_move", "masterService#updateTask][T#1",
         'moving index [logs-nginx-000011] from [{"phase":"hot","action":"rollover","name":"check-rollover-ready"}] to '
         '[{"phase":"hot","action":"rollover","name":"attempt-rollover"}] in policy [logs-nginx]', "ilm_move")
    erec(t + sec(0.41), "INFO", E_MASTER, "create", "masterService#updateTask][T#1",
         "[logs-nginx-000012] creating index, cause [rollover_index], templates [logs-nginx], shards [1]/[1]", "create_rollover")
    erec(at(16, 7, 20, 5.093), "ERROR", E_MASTER, "ilm_run", "management][T#2",
         'policy [logs-nginx] for index [logs-nginx-000012] failed on step [{"phase":"hot","action":"rollover","name":"check-rollover-ready"}]. '
         "Moving to ERROR step", "ilm_error",
         error=("java.lang.IllegalArgumentException", "setting [index.lifecycle.rollover_alias] for index [logs-nginx-000012] is empty or not defined",
                "java.lang.IllegalArgumentException: setting [index.lifecycle.rollover_alias] for index [logs-nginx-000012] is empty or not "
                "defined\n\tat org.elasticsearch.xpack.core.ilm.WaitForRolloverReadyStep.evaluateCondition(WaitForRolloverReadyStep.java:127)\n"
                "\tat org.elasticsearch.xpack.ilm.IndexLifecycleRunner.runPeriodicStep(IndexLifecycleRunner.java:226)\n"
                "\tat org.elasticsearch.xpack.ilm.IndexLifecycleService.triggerPolicies(IndexLifecycleService.java:425)"))
    total_b = 483.2 * 2**30
    path = f"[{NID[E_FULL]}][{E_FULL}][/usr/share/elasticsearch/data]"

    def free(pct_used):
        f_ = total_b * (1 - pct_used / 100.0)
        return f"free: {gb(f_)}[{100 - pct_used:.1f}%]"

    erec(at(16, 8, 5, 11.3), "INFO", E_MASTER, "disk", "management][T#1",
         f"low disk watermark [85%] exceeded on {path} {free(85.1)}, replicas will not be assigned to this node", "disk_low")
    for k, (tt, used, moving) in enumerate(((at(16, 9, 2, 41.7), 90.1, "0"), (at(16, 9, 12, 42.0), 91.6, "51.2gb"),
                                             (at(16, 9, 22, 42.4), 93.0, "51.2gb"), (at(16, 9, 32, 42.9), 94.3, "102.7gb"))):
        erec(tt, "WARN", E_MASTER, "disk", "management][T#1",
             f"high disk watermark [90%] exceeded on {path} {free(used)}, shards will be relocated away from this node; currently "
             f"relocating away shards totalling [{moving}] bytes; the node is expected to continue to exceed the high disk watermark "
             "when these relocations are complete", "disk_high")
    FLOOD0, FLOOD1 = at(16, 9, 41, 12.6), at(16, 9, 55, 13.0)
    tt = FLOOD0
    while tt < FLOOD1:
        erec(tt, "WARN", E_MASTER, "disk", "management][T#1",
             f"flood stage disk watermark [95%] exceeded on {path} {free(95.1)}, all indices on this node will be marked read-only", "disk_flood")
        tt += sec(30 + rng.uniform(0.01, 0.2))
    for k, (tt, ix) in enumerate(((at(16, 9, 50, 37.2), "logs-nginx-000009"), (at(16, 9, 51, 3.9), "logs-nginx-000010"))):
        erec(tt, "INFO", E_MASTER, "delete", "masterService#updateTask][T#1", f"[{ix}/{b64id(rng)}] deleting index", "manual_delete")
    erec(FLOOD1 + sec(0.3), "INFO", E_MASTER, "disk", "management][T#1",
         f"releasing read-only-allow-delete block on indices: [[logs-nginx-000012/{b64id(rng)}], [{ds_index('logs-app-default', 117, at(16, 9, 0))}"
         f"/{b64id(rng)}], [{ds_index('logs-k8s-default', 338, at(16, 9, 0))}/{b64id(rng)}]]", "disk_release")
    erec(FLOOD1 + sec(30.4), "INFO", E_MASTER, "disk", "management][T#1",
         f"high disk watermark [90%] no longer exceeded on {path} {free(88.7)}, but low disk watermark [85%] is still exceeded", "disk_high_clear")
    t = at(16, 10, 14, 5.2)
    erec(t, "INFO", E_MASTER, "ilm_move", "masterService#updateTask][T#1",
         'moving index [logs-nginx-000012] from [{"phase":"hot","action":"rollover","name":"ERROR"}] to '
         '[{"phase":"hot","action":"rollover","name":"check-rollover-ready"}] in policy [logs-nginx]', "ilm_move")
    erec(t + sec(0.52), "INFO", E_MASTER, "create", "masterService#updateTask][T#1",
         "[logs-nginx-000013] creating index, cause [rollover_index], templates [logs-nginx], shards [1]/[1]", "create_rollover")
    erec(at(16, 10, 41, 43.8), "INFO", E_MASTER, "disk", "management][T#1",
         f"low disk watermark [85%] no longer exceeded on {path} {free(83.9)}", "disk_low_clear")
    return L.build()


def facts_elastic(records):
    left = [r["timestamp"] for r in records if r["message"].startswith("node-left[")]
    joined = [r["timestamp"] for r in records if r["message"].startswith("node-join[")]
    slow = next(r["timestamp"] for r in records if r.get("elasticsearch.slowlog.source", "").find('"size":65535') >= 0
                and r.get("elasticsearch.node.name") == E_SICK)
    return {"left": left, "joined": joined, "first_dash_slowlog": slow}


ES_PROBLEM = [
    {"field": {"event.dataset": "elasticsearch.server", "log.level": "WARN|ERROR|FATAL|CRITICAL"}},
    {"msg": r"^Cluster health status changed from \[\w+\] to \[(RED|YELLOW)\]"},
]


def questions_elastic(f):
    def problems(since, until):
        return [dict(r, since=since, until=until) for r in ES_PROBLEM]

    return [
        q("broad",
          "kibana dashbaords timing out and logs-prod went red a bit after 20:00 utc. what went wrong between 20:03 and 20:05 utc on "
          "apr 16?",
          ["es-data-3", "RED"],
          problems("2024-04-16T20:03:00Z", "2024-04-16T20:05:00Z")),
        q("paraphrase",
          "before it got booted, was that box already choking? like teh jvm freezing for whole seconds at a time",
          ["[gc][old]", "duration"],
          {"field": {"elasticsearch.node.name": E_SICK}, "msg": r"^\[gc\]\[old\]", "until": f["joined"][0]}),
        q("lexical",
          "master keeps logging 'followers check retry count exceeded' for es-data-3. how many times did it get kicked out tonight?",
          ["node-left", "timeouts=3"],
          {"msg": r"followers check retry count exceeded"}),
        q("lexical",
          "what's hitting it so hard? slowlog on it is full of terms aggs on logs-netflow-* with \"size\":65535. when did those start "
          "and who sends them",
          ["kibana:application:dashboards", "65535"],
          {"field": {"event.dataset": "elasticsearch.index_search_slowlog", "elasticsearch.node.name": E_SICK},
           "msg": r'"size":65535', "until": plus(f["first_dash_slowlog"], 300)}),
        q("follow-up",
          "ok but why did it go red and not just yellow? i thought every index has a replica",
          [E_AUDIT, "[2]/[0]"],
          [{"msg": re.escape(E_AUDIT), "not_msg": r"update_mapping"}, {"msg": r"index template \[logs-audit\]"}]),
        q("paraphrase",
          "unrelated: this morning the log shippers couldn't index for like 15 min, kept getting 429s back. did one of the boxes run out of room?",
          ["flood stage", E_FULL],
          [{"field": {"log.logger": E_LOGGERS["disk"]}, "msg": re.escape(E_FULL), "since": "2024-04-16T06:00:00Z", "until": "2024-04-16T12:00:00Z"},
           {"msg": r"^releasing read-only-allow-delete block", "since": "2024-04-16T06:00:00Z", "until": "2024-04-16T12:00:00Z"}]),
    ]


# =============================================================================================
# 3. redis: Google Cloud Logging, project acme-shop-prod. A Redis 7.2 set `mymaster` on GCE
#    (redis-1 primary, redis-2 and redis-3 replicas, a Sentinel on each box, down-after 5 s,
#    quorum 2) behind two HAProxy boxes (VIP 10.20.0.20; a tcp-check that expects
#    `role:master`, inter 1s fall 3 rise 2, no `on-marked-down shutdown-sessions`); the cart-api
#    on GKE talks to the VIP through redis-py connection pools. At 10:12 on the 23rd an AOF
#    rewrite on redis-1 saturates its persistent disk: `Asynchronous AOF fsync is taking too
#    long (disk is busy?)` and then the main thread blocks in write() for 32 s. HAProxy marks
#    redis-1 DOWN (`backend be_redis has no server available!` for five seconds), the Sentinels
#    fail over to redis-2 (`+switch-master mymaster 10.20.0.11 6379 10.20.0.12 6379`). When
#    redis-1 thaws it still says role:master, so HAProxy marks it UP again for twelve seconds,
#    until Sentinel turns it into a replica (`+convert-to-slave`) and it needs a full resync
#    (`Requested offset ... but I can reply up to ...`: the writes it took after the failover
#    are lost). HAProxy marks it DOWN again but keeps the pooled sessions it already has on it,
#    so cart-api's writes on those connections fail with `ReadOnlyError: You can't write
#    against a read only replica.` (and `BusyLoadingError` while it loads the RDB) for 35
#    minutes, until the on-call restarts cart-api at 10:49. Unrelated: the 02:00 backup cron on
#    redis-3 cannot upload to GCS any more (`AccessDeniedException: 403 ... does not have
#    storage.objects.create access`) and gives up after three attempts. UTC throughout.

R_PROJECT = "acme-shop-prod"
R_ZONE = "europe-west1-b"
R_HOSTS = {"redis-1": "10.20.0.11", "redis-2": "10.20.0.12", "redis-3": "10.20.0.13", "haproxy-1": "10.20.0.21", "haproxy-2": "10.20.0.22"}
R_OLD_PODS = ["cart-api-5d7f9c6b8d-4xk2p", "cart-api-5d7f9c6b8d-9qwzr", "cart-api-5d7f9c6b8d-bn7ts", "cart-api-5d7f9c6b8d-lm2vd"]
R_NEW_PODS = ["cart-api-7b5d4c9f8-2hvxq", "cart-api-7b5d4c9f8-8kz4d", "cart-api-7b5d4c9f8-fq9wn", "cart-api-7b5d4c9f8-tr6cm"]
R_GKE_NODES = ["gke-shop-prod-default-pool-8c1f2a3b-x1k9", "gke-shop-prod-default-pool-8c1f2a3b-q7mz", "gke-shop-prod-default-pool-8c1f2a3b-d2wt"]
R_SEV = {".": "DEBUG", "-": "INFO", "*": "NOTICE", "#": "WARNING"}
R_PRIO = {0: "EMERGENCY", 1: "ALERT", 2: "CRITICAL", 3: "ERROR", 4: "WARNING", 5: "NOTICE", 6: "INFO", 7: "DEBUG"}
R_TB_HEAD = "Traceback (most recent call last):\n"
R_PY = "/usr/local/lib/python3.11/site-packages/redis"


def iso_gcp(dt):
    """Cloud Logging prints 0, 3, 6 or 9 fractional digits, as many as the value needs."""
    base, us = dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"), dt.microsecond
    if us == 0:
        return base + "Z"
    return base + (f".{us // 1000:03d}Z" if us % 1000 == 0 else f".{us:06d}Z")


def redis_tb(func, line, call, cmd_fn, cmd_line, cmd, exc):
    return (R_TB_HEAD
            + f'  File "/app/cart/store.py", line {line}, in {func}\n    {call}\n'
            + f'  File "{R_PY}/commands/core.py", line {cmd_line}, in {cmd_fn}\n    return self.execute_command("{cmd}", *args)\n'
            + f'  File "{R_PY}/client.py", line 545, in execute_command\n    return conn.retry.call_with_retry(\n'
            + f'  File "{R_PY}/retry.py", line 46, in call_with_retry\n    return do()\n'
            + f'  File "{R_PY}/client.py", line 546, in <lambda>\n    lambda: self._send_command_parse_response(\n'
            + f'  File "{R_PY}/client.py", line 522, in _send_command_parse_response\n    return self.parse_response(conn, command_name, **options)\n'
            + f'  File "{R_PY}/client.py", line 562, in parse_response\n    response = connection.read_response()\n'
            + exc)


def gen_redis():
    rng = random.Random(20240423)
    L = Log()

    def at(d, hh, mm, ss=0.0):
        return datetime(2024, 4, d, hh, mm, tzinfo=UTC) + sec(ss)

    T0, T1 = at(22, 22, 0), at(23, 23, 30)
    AOF_START = at(23, 10, 12, 38.412)
    FREEZE, THAW = at(23, 10, 13, 51.706), at(23, 10, 14, 23.915)
    PROMOTE = at(23, 10, 13, 58.603)
    SWITCH = at(23, 10, 14, 1.512)
    CONVERT = at(23, 10, 14, 34.288)
    FLUSH, LOADED = at(23, 10, 14, 52.117), at(23, 10, 15, 21.604)
    RESTART = at(23, 10, 49, 5.0)
    BACKUP = at(23, 2, 0, 1.0)
    QUIET = [(at(23, 1, 55), at(23, 2, 20)), (at(23, 10, 10), at(23, 10, 20))]
    IID = {h: str(rng.randint(10**18, 9 * 10**18)) for h in R_HOSTS}
    BOOT = {h: hexs(rng, 32) for h in R_HOSTS}
    MACH = {h: hexs(rng, 32) for h in R_HOSTS}
    SRUN = {h: hexs(rng, 40) for h in ("redis-1", "redis-2", "redis-3")}
    RPID = {"redis-1": 1184, "redis-2": 1192, "redis-3": 1177}
    SPID = {"redis-1": 1203, "redis-2": 1211, "redis-3": 1198}
    HPID = {"haproxy-1": 2211, "haproxy-2": 2208}
    child = [31800]
    replid_old, replid_new = hexs(rng, 40), hexs(rng, 40)

    def insert_id():
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(rng.choice([14, 16, 20])))

    def gce_res(h):
        return {"labels": {"instance_id": IID[h], "project_id": R_PROJECT, "zone": R_ZONE}, "type": "gce_instance"}

    def entry(dt, log, resource, labels, severity, payload, tpl, text=False, msg=None, source_loc=None):
        r = {"insertId": insert_id()}
        if not text:
            r["jsonPayload"] = payload
        r["labels"] = labels
        r["logName"] = f"projects/{R_PROJECT}/logs/{log}"
        r["receiveTimestamp"] = iso_ns(dt + sec(rng.uniform(0.4, 2.8)), rng)
        r["resource"] = resource
        if severity:
            r["severity"] = severity
        if source_loc:
            r["sourceLocation"] = source_loc
        if text:
            r["textPayload"] = payload
        r["timestamp"] = iso_gcp(dt)
        r["message"] = msg if msg is not None else (payload if text else payload.get("message", payload.get("MESSAGE")))
        L.add(dt, tpl, r)

    def redis(dt, h, ch, text, tpl, role="M", pid=None):
        dt = dt.replace(microsecond=dt.microsecond // 1000 * 1000)
        roles = {"M": "master", "S": "slave", "C": "child", "X": "sentinel"}
        entry(dt, "redis", gce_res(h), {"agent.googleapis.com/log_file_path": "/var/log/redis/redis-server.log",
                                        "compute.googleapis.com/resource_name": h},
              R_SEV[ch], {"level": ch, "message": text, "pid": pid or RPID[h], "role": roles[role], "roleChar": role}, tpl)

    def sentinel(dt, h, text, tpl, ch="#"):
        dt = dt.replace(microsecond=dt.microsecond // 1000 * 1000)
        entry(dt, "redis_sentinel", gce_res(h), {"agent.googleapis.com/log_file_path": "/var/log/redis/redis-sentinel.log",
                                                 "compute.googleapis.com/resource_name": h},
              R_SEV[ch], {"level": ch, "message": text, "pid": SPID[h], "role": "sentinel", "roleChar": "X"}, tpl)

    def journal(dt, h, ident, pid, prio, text, tpl, unit=None, comm=None):
        p = {"MESSAGE": text, "PRIORITY": str(prio), "SYSLOG_FACILITY": "16" if ident == "haproxy" else ("9" if ident == "CRON" else "1"),
             "SYSLOG_IDENTIFIER": ident, "SYSLOG_PID": str(pid), "SYSLOG_TIMESTAMP": dt.strftime("%b %d %H:%M:%S "),
             "_BOOT_ID": BOOT[h], "_COMM": comm or ident.lower(), "_HOSTNAME": h, "_MACHINE_ID": MACH[h], "_PID": str(pid),
             "_SYSTEMD_UNIT": unit or f"{ident}.service", "_TRANSPORT": "syslog"}
        entry(dt, "systemd_journald", gce_res(h), {"compute.googleapis.com/resource_name": h}, R_PRIO[prio], p, tpl)

    def k8s_res(pod):
        return {"labels": {"cluster_name": "shop-prod", "container_name": "cart-api", "location": "europe-west1", "namespace_name": "cart",
                           "pod_name": pod, "project_id": R_PROJECT}, "type": "k8s_container"}

    pod_node = {p: R_GKE_NODES[i % 3] for i, p in enumerate(R_OLD_PODS + R_NEW_PODS)}

    def k8s_labels(pod, logger=None):
        lab = {"compute.googleapis.com/resource_name": pod_node[pod], "k8s-pod/app": "cart-api",
               "k8s-pod/pod-template-hash": pod.split("-")[2]}
        if logger:
            lab["python_logger"] = logger
        return lab

    def app(dt, pod, sev, payload, tpl, logger="cart.api", src=None):
        entry(dt, "stdout", k8s_res(pod), k8s_labels(pod, logger), sev, payload, tpl,
              source_loc=src and {"file": src[0], "function": src[2], "line": str(src[1])})

    def gunicorn(dt, pod, pid, level, text, tpl):
        line = f"[{dt.strftime('%Y-%m-%d %H:%M:%S')} +0000] [{pid}] [{level}] {text}"
        entry(dt, "stderr", k8s_res(pod), k8s_labels(pod), "ERROR", line, tpl, text=True)

    def haproxy(dt, h, prio, text, tpl):
        journal(dt, h, "haproxy", HPID[h], prio, text, tpl)

    def client_line(h_from, port):
        sid = SRUN[h_from][:8]
        return (f"id={rng.randint(9, 60)} addr={R_HOSTS[h_from]}:{port} laddr={{laddr}}:6379 fd={rng.randint(9, 14)} name=sentinel-{sid}-cmd "
                f"age={rng.randint(2, 900000)} idle=0 flags=x db=0 sub=0 psub=0 ssub=0 multi=4 qbuf=196 qbuf-free=20278 argv-mem=4 multi-mem=169 "
                "rbs=2048 rbp=1024 obl=45 oll=0 omem=0 tot-mem=23669 events=r cmd=exec user=default redir=-1 resp=2 lib-name= lib-ver=")

    def cid():
        return "c_" + hexs(rng, 10)

    def rid():
        return hexs(rng, 32)

    def day(t):
        return 1.0 if 6 <= t.hour < 22 else 0.25

    # ---- routine RDB saves on whichever box is primary, and AOF rewrites
    def rdb_save(t, h, role="M", why=None):
        child[0] += rng.randint(3, 400)
        cp = child[0]
        if why:
            redis(t, h, "*", why, "rdb_trigger", role)
        redis(t + sec(0.01), h, "*", f"Background saving started by pid {cp}", "rdb_started", role)
        d = rng.uniform(9, 26)
        redis(t + sec(d), h, "*", "DB saved on disk", "rdb_saved", "C", pid=cp)
        cow = rng.randint(6, 60)
        redis(t + sec(d + 0.005), h, "*", f"Fork CoW for RDB: current {cow} MB, peak {cow} MB, average {cow * 2 // 3} MB", "rdb_cow", "C", pid=cp)
        redis(t + sec(d + 0.11), h, "*", "Background saving terminated with success", "rdb_done", role)
        return cp

    aof_gen = {"redis-1": 183, "redis-2": 171}

    def aof_rewrite_begin(t, h, role="M"):
        child[0] += rng.randint(3, 400)
        aof_gen[h] = aof_gen.get(h, 100) + 1
        redis(t, h, "*", f"Creating AOF incr file appendonly.aof.{aof_gen[h]}.incr.aof on background rewrite", "aof_incr", role)
        redis(t + sec(0.004), h, "*", f"Background append only file rewriting started by pid {child[0]}", "aof_started", role)
        return child[0]

    def aof_rewrite_end(t, h, cp, role="M"):
        g = aof_gen[h]
        cow = rng.randint(8, 90)
        redis(t - sec(0.2), h, "*", f"Successfully created the temporary AOF base file temp-rewriteaof-bg-{cp}.aof", "aof_base", "C", pid=cp)
        redis(t - sec(0.19), h, "*", f"Fork CoW for AOF rewrite: current {cow} MB, peak {cow} MB, average {cow // 2} MB", "aof_cow", "C", pid=cp)
        redis(t, h, "*", "Background AOF rewrite terminated with success", "aof_term", role)
        redis(t + sec(0.002), h, "*", f"Successfully renamed the temporary AOF base file temp-rewriteaof-bg-{cp}.aof into appendonly.aof.{g}.base.rdb",
              "aof_rename_base", role)
        redis(t + sec(0.003), h, "*", f"Removing the history file appendonly.aof.{g - 1}.incr.aof in the background", "aof_rm_hist", role)
        redis(t + sec(0.003), h, "*", f"Removing the history file appendonly.aof.{g - 1}.base.rdb in the background", "aof_rm_hist", role)
        redis(t + sec(0.004), h, "*", "Background AOF rewrite finished successfully", "aof_finished", role)

    t = T0 + sec(rng.uniform(60, 900))
    while t < T1:
        h = "redis-1" if t < FREEZE else "redis-2"
        if not (FREEZE - sec(600) <= t < LOADED + sec(300)) and not inside(t, QUIET):
            busy = day(t) == 1.0
            why = (f"{rng.randint(10000, 40000)} changes in 60 seconds. Saving..." if busy and rng.random() < 0.5
                   else f"{rng.randint(100, 9999)} changes in 300 seconds. Saving...")
            rdb_save(t, h, why=why)
        t += sec(rng.uniform(900, 1500) if day(t) == 1.0 else rng.uniform(1500, 2400))
    for t in (at(22, 23, 41, 7.3), at(23, 3, 2, 44.9), at(23, 6, 51, 12.2), at(23, 14, 37, 20.6), at(23, 19, 5, 3.3)):
        h = "redis-1" if t < FREEZE else "redis-2"
        cp = aof_rewrite_begin(t, h)
        aof_rewrite_end(t + sec(rng.uniform(35, 80)), h, cp)

    # ---- redis-1's disk chokes on the AOF rewrite; the main thread blocks
    cp_aof = aof_rewrite_begin(AOF_START, "redis-1")
    t = at(23, 10, 13, 11.84)
    while t < FREEZE:
        redis(t, "redis-1", "*", "Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to "
                                 "complete, this may slow down Redis.", "aof_fsync_slow")
        t += sec(2.0 + rng.uniform(0.001, 2.2))

    # ---- HAProxy: both boxes check every server for role:master
    def down_line(srv, reason, info, dur, active, sessions):
        return (f"Server be_redis/{srv} is DOWN, reason: {reason}, info: \"{info}\", check duration: {dur}ms. {active} active and 0 backup "
                f"servers left. {sessions} sessions active, 0 requeued, 0 remaining in queue.")

    def up_line(srv, active):
        return (f"Server be_redis/{srv} is UP, reason: Layer7 check passed, code: 0, info: \"(tcp-check)\", check duration: {rng.randint(0, 1)}ms. "
                f"{active} active and 0 backup servers online. 0 sessions requeued, 0 total in queue.")

    sess = {"haproxy-1": 61, "haproxy-2": 0}
    for h, off in (("haproxy-1", 0.0), ("haproxy-2", 0.41)):
        haproxy(FREEZE + sec(3.4 + off), h, 1, down_line("redis-1", "Layer7 timeout", " at step 6 of tcp-check (expect string 'role:master')",
                                                          1001, 0, sess[h]), "ha_down_timeout")
        haproxy(FREEZE + sec(3.401 + off), h, 0, "backend be_redis has no server available!", "ha_no_server")
        haproxy(PROMOTE + sec(1.5 + off), h, 5, up_line("redis-2", 1), "ha_up")
        haproxy(THAW + sec(1.6 + off), h, 5, up_line("redis-1", 2), "ha_up")
        haproxy(CONVERT + sec(3.2 + off), h, 1, down_line("redis-1", "Layer7 invalid response",
                                                          "TCPCHK did not match content 'role:master' at step 6", rng.randint(0, 1), 1,
                                                          sess[h] + (4 if h == "haproxy-1" else 0)), "ha_down_invalid")

    # ---- Sentinels: sdown, odown, the election on redis-2's sentinel, the switch
    mm_old = "mymaster 10.20.0.11 6379"
    s_r2 = "slave 10.20.0.12:6379 10.20.0.12 6379 @ mymaster 10.20.0.11 6379"
    for h, off in (("redis-1", 5.21), ("redis-2", 5.48), ("redis-3", 5.77)):
        sentinel(FREEZE + sec(off), h, f"+sdown master {mm_old}", "s_sdown_master")
    sentinel(FREEZE + sec(5.51), "redis-2", f"+odown master {mm_old} #quorum 2/2", "s_odown")
    sentinel(FREEZE + sec(5.52), "redis-2", "+new-epoch 8", "s_new_epoch")
    sentinel(FREEZE + sec(5.52), "redis-2", f"+try-failover master {mm_old}", "s_try_failover")
    sentinel(FREEZE + sec(5.55), "redis-2", f"+vote-for-leader {SRUN['redis-2']} 8", "s_vote")
    for h, off in (("redis-1", 5.58), ("redis-3", 5.81)):
        sentinel(FREEZE + sec(off), h, "+new-epoch 8", "s_new_epoch")
        sentinel(FREEZE + sec(off + 0.002), h, f"+vote-for-leader {SRUN['redis-2']} 8", "s_vote")
    sentinel(FREEZE + sec(5.8), "redis-3", f"+odown master {mm_old} #quorum 3/2", "s_odown")
    sentinel(FREEZE + sec(5.9), "redis-1", f"+odown master {mm_old} #quorum 3/2", "s_odown")
    for dt_, msg, tpl in ((6.1, f"+elected-leader master {mm_old}", "s_elected"),
                          (6.1, f"+failover-state-select-slave master {mm_old}", "s_state_select"),
                          (6.2, f"+selected-slave {s_r2}", "s_selected"),
                          (6.2, f"+failover-state-send-slaveof-noone {s_r2}", "s_state_noone"),
                          (6.3, f"+failover-state-wait-promotion {s_r2}", "s_state_wait")):
        sentinel(FREEZE + sec(dt_), "redis-2", msg, tpl)
    sentinel(PROMOTE + sec(0.81), "redis-2", f"+promoted-slave {s_r2}", "s_promoted")
    sentinel(PROMOTE + sec(0.81), "redis-2", f"+failover-state-reconf-slaves master {mm_old}", "s_state_reconf")
    s_r3_old = "slave 10.20.0.13:6379 10.20.0.13 6379 @ mymaster 10.20.0.11 6379"
    sentinel(PROMOTE + sec(0.9), "redis-2", f"+slave-reconf-sent {s_r3_old}", "s_reconf_sent")
    sentinel(PROMOTE + sec(1.83), "redis-2", f"+slave-reconf-inprog {s_r3_old}", "s_reconf_inprog")
    sentinel(SWITCH - sec(0.01), "redis-2", f"+slave-reconf-done {s_r3_old}", "s_reconf_done")
    sentinel(SWITCH, "redis-2", f"+failover-end master {mm_old}", "s_failover_end")
    for h, off in (("redis-2", 0.0), ("redis-1", 0.33), ("redis-3", 0.52)):
        if h != "redis-2":
            sentinel(SWITCH + sec(off - 0.001), h, f"+config-update-from sentinel {SRUN['redis-2']} 10.20.0.12 26379 @ {mm_old}", "s_config_update")
        sentinel(SWITCH + sec(off), h, "+switch-master mymaster 10.20.0.11 6379 10.20.0.12 6379", "s_switch")
        sentinel(SWITCH + sec(off + 0.001), h, "+slave slave 10.20.0.13:6379 10.20.0.13 6379 @ mymaster 10.20.0.12 6379", "s_slave")
        sentinel(SWITCH + sec(off + 0.001), h, "+slave slave 10.20.0.11:6379 10.20.0.11 6379 @ mymaster 10.20.0.12 6379", "s_slave")
        sentinel(SWITCH + sec(off + 5.03), h, "+sdown slave 10.20.0.11:6379 10.20.0.11 6379 @ mymaster 10.20.0.12 6379", "s_sdown_slave")
        sentinel(THAW + sec(0.3 + off), h, "-sdown slave 10.20.0.11:6379 10.20.0.11 6379 @ mymaster 10.20.0.12 6379", "s_sdown_clear")
    sentinel(CONVERT, "redis-2", "+convert-to-slave slave 10.20.0.11:6379 10.20.0.11 6379 @ mymaster 10.20.0.12 6379", "s_convert")

    # ---- redis-2 becomes primary; redis-3 follows it
    old_off = 9381277451
    redis(PROMOTE - sec(0.004), "redis-2", "*", "Connection with master lost.", "r_master_lost", "S")
    redis(PROMOTE - sec(0.003), "redis-2", "*", "Caching the disconnected master state.", "r_cache_master", "S")
    redis(PROMOTE - sec(0.002), "redis-2", "*", "Discarding previously cached master state.", "r_discard_cached", "S")
    redis(PROMOTE - sec(0.001), "redis-2", "*", f"Setting secondary replication ID to {replid_old}, valid up to offset: {old_off + 1}. New "
                                              f"replication ID is {replid_new}", "r_secondary_id", "M")
    redis(PROMOTE, "redis-2", "*", f"MASTER MODE enabled (user request from '{client_line('redis-2', rng.randint(40000, 60000)).replace('{laddr}', '10.20.0.12')}')",
          "r_master_mode", "M")
    redis(PROMOTE + sec(0.002), "redis-2", "*", "CONFIG REWRITE executed with success.", "r_config_rewrite", "M")
    r3 = PROMOTE + sec(0.95)
    redis(r3, "redis-3", "*", "Connection with master lost.", "r_master_lost", "S")
    redis(r3 + sec(0.001), "redis-3", "*", "Caching the disconnected master state.", "r_cache_master", "S")
    redis(r3 + sec(0.002), "redis-3", "*", f"REPLICAOF 10.20.0.12:6379 enabled (user request from "
                                          f"'{client_line('redis-2', rng.randint(40000, 60000)).replace('{laddr}', '10.20.0.13')}')",
          "r_replicaof", "S")
    for k, (txt, tpl) in enumerate((("Connecting to MASTER 10.20.0.12:6379", "r_connecting"), ("MASTER <-> REPLICA sync started", "r_sync_started"),
                                    ("Non blocking connect for SYNC fired the event.", "r_nonblock"),
                                    ("Master replied to PING, replication can continue...", "r_ping_ok"),
                                    (f"Trying a partial resynchronization (request {replid_old}:{old_off + 1}).", "r_try_psync"),
                                    (f"Successful partial resynchronization with master.", "r_psync_ok"),
                                    ("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.", "r_psync_accepted"))):
        redis(r3 + sec(0.5 + k * 0.002), "redis-3", "*", txt, tpl, "S")
    redis(r3 + sec(0.504), "redis-2", "*", "Replica 10.20.0.13:6379 asks for synchronization", "r_asks_sync")
    redis(r3 + sec(0.505), "redis-2", "*", f"Partial resynchronization request from 10.20.0.13:6379 accepted. Sending 0 bytes of backlog starting "
                                          f"from offset {old_off + 1}.", "r_psync_from")

    # ---- redis-1 thaws, finishes its rewrite, is turned into a replica and needs a full sync
    for k, ip in enumerate(("10.20.0.12", "10.20.0.13")):
        redis(THAW + sec(0.01 + k * 0.001), "redis-1", "*", f"Connection with replica {ip}:6379 lost.", "r_replica_lost")
    aof_rewrite_end(THAW + sec(0.9), "redis-1", cp_aof)
    split_off = old_off + rng.randint(90000, 160000)
    redis(CONVERT + sec(0.001), "redis-1", "*", "Before turning into a replica, using my own master parameters to synthesize a cached master: I "
                                               "may be able to synchronize with the new master with just a partial transfer.", "r_synth_cached", "S")
    redis(CONVERT + sec(0.002), "redis-1", "*", "Connecting to MASTER 10.20.0.12:6379", "r_connecting", "S")
    redis(CONVERT + sec(0.002), "redis-1", "*", "MASTER <-> REPLICA sync started", "r_sync_started", "S")
    redis(CONVERT + sec(0.003), "redis-1", "*", f"REPLICAOF 10.20.0.12:6379 enabled (user request from "
                                               f"'{client_line('redis-2', rng.randint(40000, 60000)).replace('{laddr}', '10.20.0.11')}')",
          "r_replicaof", "S")
    redis(CONVERT + sec(0.004), "redis-1", "*", "Non blocking connect for SYNC fired the event.", "r_nonblock", "S")
    redis(CONVERT + sec(0.006), "redis-1", "*", "Master replied to PING, replication can continue...", "r_ping_ok", "S")
    redis(CONVERT + sec(0.007), "redis-1", "*", f"Trying a partial resynchronization (request {replid_old}:{split_off}).", "r_try_psync", "S")
    redis(CONVERT + sec(0.008), "redis-2", "*", "Replica 10.20.0.11:6379 asks for synchronization", "r_asks_sync")
    redis(CONVERT + sec(0.008), "redis-2", "*", f"Partial resynchronization not accepted: Requested offset for second ID was {split_off}, but I can "
                                               f"reply up to {old_off + 1}", "r_psync_refused")
    redis(CONVERT + sec(0.009), "redis-2", "*", "Starting BGSAVE for SYNC with target: disk", "r_bgsave_sync")
    cp = rdb_save(CONVERT + sec(0.01), "redis-2")
    new_off = old_off + rng.randint(20000, 40000)
    redis(CONVERT + sec(0.011), "redis-1", "*", f"Full resync from master: {replid_new}:{new_off}", "r_full_resync", "S")
    size = rng.randint(2100000000, 2300000000)
    redis(FLUSH - sec(0.5), "redis-1", "*", f"MASTER <-> REPLICA sync: receiving {size} bytes from master to disk", "r_receiving", "S")
    redis(FLUSH - sec(0.3), "redis-2", "*", "Synchronization with replica 10.20.0.11:6379 succeeded", "r_sync_replica_ok")
    redis(FLUSH - sec(0.001), "redis-1", "*", "Discarding previously cached master state.", "r_discard_cached", "S")
    redis(FLUSH, "redis-1", "*", "MASTER <-> REPLICA sync: Flushing old data", "r_flushing", "S")
    redis(FLUSH + sec(3.7), "redis-1", "*", "MASTER <-> REPLICA sync: Loading DB in memory", "r_loading", "S")
    redis(FLUSH + sec(3.71), "redis-1", "*", "Loading RDB produced by version 7.2.4", "r_rdb_version", "S")
    redis(FLUSH + sec(3.71), "redis-1", "*", f"RDB age {int((FLUSH - CONVERT).total_seconds())} seconds", "r_rdb_age", "S")
    redis(FLUSH + sec(3.71), "redis-1", "*", f"RDB memory usage when created {rng.uniform(4100, 4300):.2f} Mb", "r_rdb_mem", "S")
    redis(LOADED, "redis-1", "*", f"Done loading RDB, keys loaded: {rng.randint(3700000, 3900000)}, keys expired: {rng.randint(800, 2000)}.",
          "r_rdb_done", "S")
    redis(LOADED + sec(0.002), "redis-1", "*", "MASTER <-> REPLICA sync: Finished with success", "r_sync_done", "S")
    cp = aof_rewrite_begin(LOADED + sec(0.01), "redis-1", "S")
    aof_rewrite_end(LOADED + sec(rng.uniform(40, 70)), "redis-1", cp, "S")

    # ---- cart-api traffic and what it sees
    CMDS_W = [("add_item", 88, "self.r.hincrby(key, sku, qty)", "hincrby", 4869, "HINCRBY"),
              ("set_qty", 97, "self.r.hset(key, sku, qty)", "hset", 4953, "HSET"),
              ("remove_item", 105, "self.r.hdel(key, sku)", "hdel", 4788, "HDEL")]
    CMDS_R = [("get_cart", 71, "return self.r.hgetall(key)", "hgetall", 4836, "HGETALL")]
    EXC = {"timeout": ("TimeoutError: Timeout reading from socket", "redis.exceptions.TimeoutError: Timeout reading from socket"),
           "closed": ("ConnectionError: Connection closed by server.", "redis.exceptions.ConnectionError: Connection closed by server."),
           "readonly": ("ReadOnlyError: You can't write against a read only replica.",
                        "redis.exceptions.ReadOnlyError: You can't write against a read only replica."),
           "loading": ("BusyLoadingError: Redis is loading the dataset in memory",
                       "redis.exceptions.BusyLoadingError: Redis is loading the dataset in memory")}

    def pods_at(t):
        if t < RESTART:
            return R_OLD_PODS
        k = min(4, int((t - RESTART).total_seconds() // 31))
        return R_NEW_PODS[:k] + R_OLD_PODS[k:]

    def fail(t, pod, cmd, kind):
        func, line, call, fn, cl, name = cmd
        short, last = EXC[kind]
        tb = redis_tb(func, line, call, fn, cl, name, last)
        app(t, pod, "ERROR", {"cart_id": cid(), "command": name, "error": short, "exception": tb, "message": f"redis command failed: {short}",
                              "request_id": rid()}, f"cart_err_{kind}", logger="cart.store", src=("/app/cart/store.py", line, func))

    stale = {p: 0.72 for p in R_OLD_PODS}
    for kind_, per_h in (("w", 520.0), ("r", 720.0)):
        for t in poisson(rng, T0, T1, per_h, day):
            pod = rng.choice(pods_at(t))
            cmd = rng.choice(CMDS_W if kind_ == "w" else CMDS_R)
            if FREEZE <= t < THAW:
                if t < FREEZE + sec(3.4) or rng.random() < 0.8:
                    fail(t + sec(2.0 + rng.uniform(0.001, 0.01)), pod, cmd, "timeout")
                elif t < PROMOTE + sec(1.5):
                    fail(t + sec(rng.uniform(0.001, 0.004)), pod, cmd, "closed")
                continue
            if CONVERT <= t < RESTART and pod in R_OLD_PODS and rng.random() < stale[pod]:
                if FLUSH <= t < LOADED:
                    fail(t + sec(rng.uniform(0.0005, 0.002)), pod, cmd, "loading")
                elif kind_ == "w":
                    fail(t + sec(rng.uniform(0.0005, 0.002)), pod, cmd, "readonly")
                continue
            if kind_ == "w" and cmd[0] == "add_item" and rng.random() < 0.16:
                n = rng.randint(1, 9)
                app(t, pod, "INFO", {"cart_id": cid(), "items": n, "message": "cart checked out, handed to order-service", "request_id": rid()},
                    "cart_checkout", src=("/app/cart/api.py", 142, "checkout"))
            elif rng.random() < 0.006:
                app(t, pod, "WARNING", {"command": cmd[5], "duration_ms": rng.randint(150, 480), "message": "slow redis call", "request_id": rid()},
                    "cart_slow", logger="cart.store", src=("/app/cart/store.py", 41, "_timed"))
    for t in poisson(rng, T0, T1, 1.5, day):
        if inside(t, QUIET):
            continue
        pod = rng.choice(pods_at(t))
        app(t, pod, "WARNING", {"message": f"price lookup for SKU-{rng.randint(100000, 199999)} timed out after 800 ms, using cached price",
                                "request_id": rid()}, "cart_price_timeout", logger="cart.pricing", src=("/app/cart/pricing.py", 57, "price_for"))

    # ---- the on-call's rolling restart of cart-api at 10:49
    for k, (old, new) in enumerate(zip(R_OLD_PODS, R_NEW_PODS)):
        t = RESTART + sec(31 * k + rng.uniform(0, 2))
        gunicorn(t - sec(9.2), new, 1, "INFO", "Starting gunicorn 21.2.0", "gu_starting")
        gunicorn(t - sec(9.19), new, 1, "INFO", "Listening at: http://0.0.0.0:8080 (1)", "gu_listening")
        gunicorn(t - sec(9.19), new, 1, "INFO", "Using worker: gthread", "gu_worker_class")
        for w in (7, 8, 9):
            gunicorn(t - sec(9.15 - w * 0.01), new, w, "INFO", f"Booting worker with pid: {w}", "gu_booting")
        app(t - sec(7.8), new, "INFO", {"message": "connected to redis at redis.internal:6379 (role=master, redis_version=7.2.4)"}, "cart_connected",
            src=("/app/cart/store.py", 23, "__init__"))
        gunicorn(t, old, 1, "INFO", "Handling signal: term", "gu_term")
        for w in (7, 8, 9):
            gunicorn(t + sec(0.3 + w * 0.01), old, w, "INFO", f"Worker exiting (pid: {w})", "gu_worker_exit")
        gunicorn(t + sec(1.2), old, 1, "INFO", "Shutting down: Master", "gu_shutdown")
        # its pooled sessions close on haproxy-1; most of them were still on redis-1
        for _ in range(rng.randint(12, 16)):
            srv = "redis-1" if rng.random() < 0.75 else "redis-2"
            began = (T0 - sec(rng.uniform(3600, 86400 * 2))) if srv == "redis-1" else (THAW + sec(rng.uniform(0, 600)))
            te = t + sec(rng.uniform(0.35, 0.5))
            tt = int((te - began).total_seconds() * 1000)
            haproxy(te, "haproxy-1", 6, f"10.8.{rng.randint(0, 3)}.{rng.randint(2, 250)}:{rng.randint(33000, 60999)} "
                                        f"[{began.strftime('%d/%b/%Y:%H:%M:%S')}.{began.microsecond // 1000:03d}] fe_redis be_redis/{srv} "
                                        f"1/0/{tt} {rng.randint(10**5, 10**8)} -- {rng.randint(30, 61)}/{rng.randint(30, 61)}/{rng.randint(30, 60)}/"
                                        f"{rng.randint(1, 45)}/0 0/0", "ha_session")
    # idle sessions timing out (timeout client 1h) across the day
    for t in poisson(rng, T0, T1, 3.0):
        if inside(t, QUIET):
            continue
        srv = "redis-1" if t < FREEZE else "redis-2"
        began = t - sec(3600 + rng.uniform(0, 3000))
        tt = int((t - began).total_seconds() * 1000)
        haproxy(t, "haproxy-1", 6, f"10.8.{rng.randint(0, 3)}.{rng.randint(2, 250)}:{rng.randint(33000, 60999)} "
                                   f"[{began.strftime('%d/%b/%Y:%H:%M:%S')}.{began.microsecond // 1000:03d}] fe_redis be_redis/{srv} "
                                   f"1/0/{tt} {rng.randint(10**4, 10**7)} cD {rng.randint(40, 61)}/{rng.randint(40, 61)}/{rng.randint(39, 60)}/"
                                   f"{rng.randint(39, 60)}/0 0/0", "ha_session_idle")

    # ---- cron on the redis boxes; the 02:00 backup on redis-3 cannot upload any more
    for h in ("redis-1", "redis-2", "redis-3"):
        t = T0 + sec(17 * 60 + rng.uniform(0, 2))
        while t < T1:
            journal(t, h, "CRON", rng.randint(20000, 40000), 6, "(root) CMD (   cd / && run-parts --report /etc/cron.hourly)", "cron_hourly",
                    unit="cron.service", comm="cron")
            t += sec(3600 + rng.uniform(-0.5, 0.5))
    cron_pid, bpid = 20311, 20313
    journal(BACKUP, "redis-3", "CRON", cron_pid, 6, "(redis) CMD (/usr/local/bin/redis-backup.sh)", "cron_backup", unit="cron.service", comm="cron")
    journal(BACKUP + sec(0.08), "redis-3", "redis-backup", bpid, 6, "starting backup of mymaster from 127.0.0.1:6379 (role=slave)", "bk_start",
            unit="cron.service", comm="logger")
    rp = "127.0.0.1:<unknown-replica-port>"
    redis(BACKUP + sec(0.11), "redis-3", "*", f"Replica {rp} asks for synchronization", "r_asks_sync", "S")
    redis(BACKUP + sec(0.11), "redis-3", "*", f"Full resync requested by replica {rp}", "r_full_requested", "S")
    redis(BACKUP + sec(0.11), "redis-3", "*", "Starting BGSAVE for SYNC with target: disk", "r_bgsave_sync", "S")
    rdb_save(BACKUP + sec(0.12), "redis-3", "S")
    redis(BACKUP + sec(38.4), "redis-3", "*", f"Synchronization with replica {rp} succeeded", "r_sync_replica_ok", "S")
    redis(BACKUP + sec(43.1), "redis-3", "*", f"Connection with replica client id #{rng.randint(4000, 9000)} lost.", "r_replica_client_lost", "S")
    dump = "dump-20240423T020001Z.rdb"
    journal(BACKUP + sec(43.3), "redis-3", "redis-backup", bpid, 6, f"dump written: /var/backups/redis/{dump} (2.0G), compressing", "bk_dumped",
            unit="cron.service", comm="logger")
    t = BACKUP + sec(150.6)
    journal(t, "redis-3", "redis-backup", bpid, 6, f"uploading {dump}.gz (612M) to gs://acme-redis-backups/mymaster/2024/04/23/", "bk_upload",
            unit="cron.service", comm="logger")
    for k in (1, 2, 3):
        te = t + sec(1.9 + rng.uniform(0, 0.3))
        journal(te, "redis-3", "redis-backup", bpid, 3,
                f"AccessDeniedException: 403 redis-backup@{R_PROJECT}.iam.gserviceaccount.com does not have storage.objects.create access to "
                "the Google Cloud Storage object. Permission 'storage.objects.create' denied on resource (or it may not exist).", "bk_denied",
                unit="cron.service", comm="logger")
        last = k == 3
        journal(te + sec(0.01), "redis-3", "redis-backup", bpid, 3,
                f"ERROR: upload failed (gsutil exit 1), attempt {k}/3, " + (f"giving up; local copy kept at /var/backups/redis/{dump}.gz" if last
                                                                          else "retrying in 60s"), "bk_failed", unit="cron.service", comm="logger")
        t = te + sec(60.0)
    journal(te + sec(0.4), "redis-3", "CRON", cron_pid, 6, "(CRON) info (No MTA installed, discarding output)", "cron_mta", unit="cron.service",
            comm="cron")

    # ---- sentinel-3's VM is live-migrated in the afternoon: a short TILT
    tl = at(23, 16, 40, 12.5)
    sentinel(tl, "redis-3", "+tilt #tilt mode entered", "s_tilt")
    sentinel(tl + sec(30.2), "redis-3", "-tilt #tilt mode exited", "s_tilt_exit")
    return L.build()


def facts_redis(records):
    ro = {}
    for r in records:
        if "ReadOnlyError" in r["message"]:
            ro.setdefault(r["resource"]["labels"]["pod_name"], []).append(r["timestamp"])
    first_ro = min(v[0] for v in ro.values())
    cut = {p: v[min(2, len(v) - 1)] for p, v in sorted(ro.items())}
    return {"first_readonly": first_ro, "readonly_cut": cut, "readonly_total": sum(len(v) for v in ro.values())}


RED_PROBLEM = [{"field": {"severity": "ERROR|CRITICAL|ALERT|EMERGENCY"}}]


def questions_redis(f):
    def problems(since, until):
        return [dict(r, since=since, until=until) for r in RED_PROBLEM]

    first_pod = sorted(f["readonly_cut"])[0]
    return [
        q("broad",
          "cart-api 5xx spiked around 10:14 utc and add to cart is failing for people, smells like redis. what went wrong between 10:13 "
          "and 10:15 utc on apr 23?",
          ["be_redis/redis-1", "Timeout reading from socket"],
          problems("2024-04-23T10:13:00Z", "2024-04-23T10:15:00Z")),
        q("lexical",
          "and now cart-api is full of 'ReadOnlyError: You can't write against a read only replica.' since when, and is it every pod?",
          ["read only replica", first_pod],
          [{"msg": r"ReadOnlyError", "field": {"resource.labels.pod_name": re.escape(p)}, "until": plus(ts, 0.001)}
           for p, ts in sorted(f["readonly_cut"].items())]),
        q("paraphrase",
          "why is the old primary still getting traffic at all? thought the load balancer moved everyone over to teh new one",
          ["sessions active", "be_redis/redis-1"],
          {"field": {"jsonPayload.SYSLOG_IDENTIFIER": "haproxy"}, "msg": r"^Server be_redis/redis-1 is (UP|DOWN)"}),
        q("follow-up",
          "ok so when exactly did it flip, and which box is master now?",
          ["+switch-master", "10.20.0.12"],
          [{"msg": r"^\+switch-master "}, {"msg": r"^MASTER MODE enabled"}]),
        q("paraphrase",
          "what made the old one lock up in the first place? it was fine all morning",
          ["fsync", "disk is busy"],
          {"field": {"labels.compute.googleapis.com/resource_name": "redis-1", "logName": r".*/logs/redis"},
           "msg": r"fsync is taking too long|Background append only file rewriting started",
           "since": "2024-04-23T10:00:00Z", "until": "2024-04-23T10:15:00Z"}),
        q("broad",
          "unrelated: todays redis backup never showed up in the bucket. anything wrong between 02:00 and 02:15 utc?",
          ["AccessDeniedException", "storage.objects.create"],
          problems("2024-04-23T02:00:00Z", "2024-04-23T02:15:00Z")),
    ]


# =============================================================================================
# Question specs, rules and checks


def q(style, ask, mentions, rule):
    assert style in STYLES, style
    return {"style": style, "ask": ask, "mentions": mentions, "rule": rule}


SYSTEMS = [
    {
        "id": "l-orders",
        "title": "order-service: a manual inventory-sync full resync holds row locks on `inventory` in one 12-minute transaction; stock "
                 "reservations block until statement_timeout, the HikariCP pools run dry and checkout fails; overnight CSV exports "
                 "kill the JVM with OutOfMemoryError",
        "gen": gen_orders,
        "facts": facts_orders,
        "questions": questions_orders,
    },
    {
        "id": "l-elastic",
        "title": "logs-prod: a dashboard's 90-day terms aggregation (size 65535) exhausts es-data-3's heap; long GC pauses, the real-memory "
                 "circuit breaker, three node-left events, and the cluster goes RED because logs-audit-* has 0 replicas; that morning "
                 "es-data-1 hits the flood-stage disk watermark after ILM fails to roll logs-nginx over",
        "gen": gen_elastic,
        "facts": facts_elastic,
        "questions": questions_elastic,
    },
    {
        "id": "l-redis",
        "title": "mymaster: an AOF rewrite stalls redis-1's disk, Sentinel fails over to redis-2, HAProxy keeps cart-api's pooled sessions "
                 "on the demoted redis-1 so writes fail with ReadOnlyError for 35 minutes; the nightly backup on redis-3 is denied by GCS",
        "gen": gen_redis,
        "facts": facts_redis,
        "questions": questions_redis,
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
    """A key of the record first ("log.level"), else a dotted path into nested objects."""
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
        assert re.search(r"(Z|[+-]\d\d:\d\d)$", r["timestamp"]), f"{sid}:{i} timestamp without offset"
        t = parse_ts(r["timestamp"])
        assert prev is None or t >= prev, f"{sid}:{i} timestamp goes backwards"
        prev = t
    span = (parse_ts(records[-1]["timestamp"]) - parse_ts(records[0]["timestamp"])).total_seconds() / 3600
    assert MIN_SPAN_H <= span <= MAX_SPAN_H, f"{sid}: span {span:.1f} h"
    n_tpl = len(set(tpls))
    assert n_tpl >= MIN_TEMPLATES, f"{sid}: only {n_tpl} templates"
    return span, n_tpl


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
        assert re.fullmatch(r"l-[a-z0-9-]+", sid), sid
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
                    who = (get_field(r, "kubernetes.pod_name") if "kubernetes" in r else r.get("elasticsearch.node.name")
                           or get_field(r, "labels.compute.googleapis.com/resource_name") or "")
                    if who is MISSING:
                        who = get_field(r, "resource.labels.pod_name")
                    print(f"  {n:5d} {r['timestamp']} {who} | {r['message'].splitlines()[0][:170]}")
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

    print(f"{'incident':12s} {'style':10s} {'lines':>5s} {'msgs':>4s} {'ceil':>5s}  ask")
    for sid, style, n, distinct, ceil, ask in table:
        print(f"{sid:12s} {style:10s} {n:5d} {distinct:4d} {ceil:5.3f}  {ask}")
    print()
    for p in written:
        print(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(out).as_posix()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
