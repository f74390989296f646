package io.lifeline.config;

import java.util.Locale;

/**
 * Every setting Lifeline reads, with its default, the names it goes by, and what the reference says of it.
 *
 * <p>One setting has four spellings: the environment variable {@code LIFELINE_JWT_KEY}, the system property and
 * servlet context init-param {@code lifeline.jwt.key}, and the command-line flag {@code --jwt-key} of the embedded
 * program. Where several are given, the flag wins, then the system property, then the environment, then the
 * init-param.</p>
 *
 * <p>Each setting belongs to a {@link Group}, the concern whose record of {@link Settings} holds its value and the
 * section of the reference that lists it; {@code --help} lists every setting in the order of this enum.</p>
 *
 * <p>Each setting carries two texts: {@link #description()}, the one line {@code --help} prints, in plain text; and
 * {@link #reference()}, the fuller text of the configuration reference ({@code docs/configuration.md}, generated
 * from this enum and checked by {@code ConfigurationReferenceTest}), in Markdown.</p>
 */
public enum Setting {
    PORT(setting(Group.SERVER, Unit.PORT).byDefault("8080")
            .description("TCP port of the embedded program; 0 picks any free port")
            .reference("TCP port of the embedded program; `0` picks any free port (the readiness line gives the real "
                    + "one). A port in use stops it with exit status 1.")),
    HOST(setting(Group.SERVER, Unit.ADDRESS).byDefault("", "every interface; `127.0.0.1` in development mode")
            .description("address the embedded program binds; empty means every interface (loopback only in "
                    + "development mode)")
            .reference("address the embedded program binds: `127.0.0.1` behind a proxy on the same machine, a public "
                    + "address to take clients directly. Empty: every interface, IPv4 and IPv6; in development mode "
                    + "`127.0.0.1` only. The readiness line says where it listens.")),
    HTTP2(setting(Group.SERVER, Unit.BOOLEAN).byDefault("true")
            .description("true: the embedded program also speaks HTTP/2 (h2c in plain text, h2 over TLS)")
            .reference("whether the embedded program also speaks HTTP/2: h2c (prior knowledge or upgrade) in plain "
                    + "text, h2 through ALPN over TLS")),
    TLS_KEYSTORE(setting(Group.SERVER, Unit.FILE).byDefault("", "none: plain HTTP")
            .description("PKCS12 or JKS keystore: when set, the embedded program serves HTTPS only")
            .reference("a PKCS12 or JKS keystore, opened with `LIFELINE_TLS_KEYSTORE_PASSWORD`: the embedded program "
                    + "then serves HTTPS only. A missing or unreadable file, or one that does not open as a keystore, "
                    + "stops start-up.")),
    TLS_KEYSTORE_PASSWORD(setting(Group.SERVER, Unit.TEXT).byDefault("", "empty")
            .description("password of LIFELINE_TLS_KEYSTORE")
            .reference("the password of `LIFELINE_TLS_KEYSTORE`; a wrong one stops start-up")),
    JWT_KEY(setting(Group.AUTHORIZATION, Unit.KEY).noDefault("none: development mode")
            .description("key for publisher and subscriber tokens: an HMAC secret, or a PEM public key for RS256")
            .reference("key for publisher and subscriber tokens: an HMAC secret (HS256; shorter than 256 bits works, "
                    + "with a start-up warning) or, with `LIFELINE_JWT_ALGORITHM=RS256`, an RSA public key in PEM. "
                    + "Without any key or trusted issuer (`LIFELINE_ISSUERS`) the embedded program runs in development "
                    + "mode and a WAR refuses to start.")),
    JWT_ALGORITHM(setting(Group.AUTHORIZATION, Unit.CHOICE).byDefault("HS256")
            .description("algorithm of LIFELINE_JWT_KEY: HS256 or RS256")
            .reference("`HS256` or `RS256`: the only algorithm the key verifies. A PEM key configured for HS256 stops "
                    + "start-up.")),
    PUBLISHER_JWT_KEY(setting(Group.AUTHORIZATION, Unit.KEY).noDefault("`LIFELINE_JWT_KEY`")
            .description("key for publisher tokens; defaults to LIFELINE_JWT_KEY")
            .reference("key for publisher tokens only, in the shape of `LIFELINE_JWT_KEY`. Subscriber tokens then need "
                    + "a key too, `LIFELINE_SUBSCRIBER_JWT_KEY` or `LIFELINE_JWT_KEY`: without one, start-up stops.")),
    PUBLISHER_JWT_ALGORITHM(setting(Group.AUTHORIZATION, Unit.CHOICE).noDefault("`LIFELINE_JWT_ALGORITHM`")
            .description("algorithm of the publisher key; defaults to LIFELINE_JWT_ALGORITHM")
            .reference("`HS256` or `RS256`: the algorithm of the key for publisher tokens, whether it is "
                    + "`LIFELINE_PUBLISHER_JWT_KEY` or the shared `LIFELINE_JWT_KEY`")),
    SUBSCRIBER_JWT_KEY(setting(Group.AUTHORIZATION, Unit.KEY).noDefault("`LIFELINE_JWT_KEY`")
            .description("key for subscriber tokens; defaults to LIFELINE_JWT_KEY")
            .reference("key for subscriber tokens only, in the shape of `LIFELINE_JWT_KEY`. Publisher tokens then need "
                    + "a key too, `LIFELINE_PUBLISHER_JWT_KEY` or `LIFELINE_JWT_KEY`: without one, start-up stops.")),
    SUBSCRIBER_JWT_ALGORITHM(setting(Group.AUTHORIZATION, Unit.CHOICE).noDefault("`LIFELINE_JWT_ALGORITHM`")
            .description("algorithm of the subscriber key; defaults to LIFELINE_JWT_ALGORITHM")
            .reference("`HS256` or `RS256`: the algorithm of the key for subscriber tokens, whether it is "
                    + "`LIFELINE_SUBSCRIBER_JWT_KEY` or the shared `LIFELINE_JWT_KEY`")),
    RESOURCE(setting(Group.AUTHORIZATION, Unit.URI).byDefault("",
            "none; `http://localhost:<port>/.well-known/mercure` in development mode")
            .description("Mercure 1.0: the hub's resource identifier, which every access token's aud must contain (RFC "
                    + "9068), e.g. https://hub.example.com/.well-known/mercure; empty: 1.0 access tokens are refused")
            .reference("[Mercure 1.0](mercure-1.0.md): the hub's resource identifier, which every access token's `aud` "
                    + "must contain (RFC 9068), e.g. `https://hub.example.com/.well-known/mercure`; required with "
                    + "`LIFELINE_ISSUERS`. Empty: 1.0 access tokens are refused.")),
    ISSUERS(setting(Group.AUTHORIZATION, Unit.JSON).byDefault("", "none")
            .description("Mercure 1.0: the issuers whose access tokens the hub trusts, as JSON from issuer to its "
                    + "keys: {\"<iss>\": {\"jwks\": {...}} or {\"jwks_file\": \"path\"} or {\"jwks_uri\": "
                    + "\"https://...\"} or {\"metadata\": true}}")
            .reference("Mercure 1.0: the issuers whose access tokens the hub trusts, as JSON from issuer to the source "
                    + "of its keys (`jwks`, `jwks_file`, `jwks_uri` or `metadata: true`; see [1.0 access "
                    + "tokens](mercure-1.0.md#mercure-10-access-tokens)). Issuers alone are keys enough: a hub with no "
                    + "`LIFELINE_JWT_KEY` then takes 1.0 tokens only.")),
    ALGORITHMS(setting(Group.AUTHORIZATION, Unit.NAMES).byDefault("EdDSA,ES256,RS256")
            .description("Mercure 1.0: the signature algorithms an access token may use (comma-separated); HS256 only "
                    + "where named here; none is never accepted")
            .reference("Mercure 1.0: the signature algorithms an access token may use, as JOSE names them, case "
                    + "included (`ES384`, `PS256`, `HS256`...); HMAC ones only where named here; `none` stops "
                    + "start-up")),
    ANONYMOUS(setting(Group.AUTHORIZATION, Unit.BOOLEAN).byDefault("false", "`false`; `true` in development mode")
            .description("true lets subscribers connect without a token")
            .reference("whether subscribers may connect without a token")),
    COOKIE_NAME(setting(Group.AUTHORIZATION, Unit.TEXT).byDefault("mercureAuthorization")
            .description("name of the cookie a browser may carry its token in")
            .reference("the cookie a browser may carry its token in (a cookie name: letters, digits and some "
                    + "punctuation); where it is absent, 1.0's `__Secure-mercure_access_token` is read")),
    CORS_ORIGINS(setting(Group.AUTHORIZATION, Unit.ORIGINS).byDefault("", "none")
            .description("origins (scheme://host[:port], comma-separated) whose pages may use the hub; * for any, "
                    + "without credentials")
            .reference("origins whose pages may use the hub, with their cookies; `*` lets any origin read, never with "
                    + "cookies (start-up says so)")),
    PUBLISH_ORIGINS(setting(Group.AUTHORIZATION, Unit.ORIGINS).noDefault("`LIFELINE_CORS_ORIGINS` without `*`")
            .description("origins allowed to publish with the cookie, besides the hub's own; defaults to "
                    + "LIFELINE_CORS_ORIGINS")
            .reference("origins, besides the hub's own, whose pages may publish with the cookie; `*` lets any page "
                    + "publish with a visitor's cookie, which turns off the protocol's CSRF protection (start-up warns "
                    + "of it)")),
    HISTORY_SIZE(setting(Group.HUB, Unit.COUNT).byDefault("1000")
            .description("updates kept for subscribers that reconnect with Last-Event-ID; 0 keeps none")
            .reference("updates kept for clients that reconnect with `Last-Event-ID`; `0` keeps none, except with a "
                    + "Redis transport, where it must be 1 or more")),
    HISTORY_BYTES(setting(Group.HUB, Unit.BYTES).byDefault("16MiB")
            .description("bytes of updates kept in the history")
            .reference("bytes of updates kept; the hub's subscription events have a history of the same bounds of "
                    + "their own")),
    TRANSPORT(setting(Group.CLUSTER, Unit.URI).byDefault("memory")
            .description("where the order of updates and the history live: memory (this process alone), or a Redis URI "
                    + "(redis://[password@]host[:port][/db], rediss:// over TLS, "
                    + "redis-sentinel://host:port[,host:port]/db#master) shared by every node of a cluster")
            .reference("where the order of updates and the history live: `memory` (this process alone), or a Redis URI "
                    + "shared by every node of [the cluster](cluster.md): `redis://[password@]host[:port][/db]`, "
                    + "`rediss://` over TLS, `redis-sentinel://host:port[,host:port]/db#master`. A node whose Redis "
                    + "does not answer at start-up stops with exit status 1 and a message; with Redis, "
                    + "`LIFELINE_HISTORY_SIZE` must be 1 or more.")),
    REDIS_TIMEOUT(setting(Group.CLUSTER, Unit.DURATION).byDefault("5s")
            .description("with a Redis transport: longest one Redis command may take before the publish or subscriber "
                    + "that waits for it is told to come back later, and longest start-up waits for Redis to answer")
            .reference("with a Redis transport: longest one Redis command may take; a publish or a new subscriber that "
                    + "waited longer is told to come back later. Start-up waits for Redis this long too (it says so in "
                    + "a line), then stops with exit status 1.")),
    NODE_NAME(setting(Group.CLUSTER, Unit.TEXT).byDefault("auto", "`auto`: the host name and a random suffix")
            .description("with a Redis transport: this node's name, unique in the cluster, shown in logs and as the "
                    + "node label of its metrics; auto: the host name and a random suffix")
            .reference("with a Redis transport: this node's name, unique in the cluster, in its logs and as the `node` "
                    + "label of its metrics: 1 to 100 letters, digits, `.`, `-`, `_` or `:`; `auto`: the host name and "
                    + "a random suffix")),
    NODE_TIMEOUT(setting(Group.CLUSTER, Unit.DURATION).byDefault("5s")
            .description("with a Redis transport: a node silent in Redis for this long is taken for gone, and another "
                    + "node announces its subscribers' ends")
            .reference("with a Redis transport: a node silent in Redis for this long is taken for gone, and another "
                    + "node announces its subscribers' ends")),
    SUBSCRIPTION_EVENTS(setting(Group.HUB, Unit.BOOLEAN).byDefault("true")
            .description("true publishes a private update each time a subscription starts or ends, in the shape of "
                    + "each dialect in LIFELINE_DIALECTS")
            .reference("whether the hub publishes a private update each time a subscription starts or ends, in the "
                    + "shape of each dialect in `LIFELINE_DIALECTS`")),
    DIALECTS(setting(Group.HUB, Unit.NAMES).byDefault("draft-07,1.0")
            .description("protocol generations the hub speaks (comma-separated): draft-07 (topic, mercure claim), 1.0 "
                    + "(match, at+jwt access tokens), or both; a subscription in one left out gets 400, its token 401")
            .reference("the protocol generations the hub speaks: `draft-07` (`topic`, the `mercure` claim), `1.0` "
                    + "(`match`, `at+jwt` access tokens), or both; a subscription in one left out is a `400` and its "
                    + "token a `401` that say so (see [Mercure 1.0](mercure-1.0.md)). A generation left out whose keys "
                    + "are the only ones configured stops start-up, since no token could be accepted.")),
    CURSOR_EVENT(setting(Group.HUB, Unit.BOOLEAN).byDefault("true")
            .description("true gives every stream an id-only block before its first update, so that EventSource holds "
                    + "a Last-Event-ID from the start; false leaves it out, for clients that wrongly deliver such a "
                    + "block as a message (Gatling's SSE client): they can then resume only from the last update they "
                    + "received")
            .reference("whether every stream opens with an id-only block (the cursor) before its first update, so that "
                    + "EventSource holds a `Last-Event-ID` from the start (see [Subscribe](api.md#subscribe)); `false` "
                    + "leaves it out, for clients that wrongly deliver such a block as a message (Gatling's SSE client "
                    + "does): they can then resume only from the last update they received")),
    DRAIN(setting(Group.HUB, Unit.DURATION).byDefault("5s")
            .description("on shutdown, subscribers are ended spread over this long, each told to reconnect after a "
                    + "random delay")
            .reference("on shutdown, subscribers are ended spread over this long, each first told to reconnect 1 s "
                    + "plus a random part of this later; `0s` ends them at once")),
    HEARTBEAT(setting(Group.DEPARTURES, Unit.DURATION).byDefault("15s")
            .description("interval of the SSE comment written to idle subscribers")
            .reference("interval of the SSE comment written to an idle stream")),
    DISPATCH_TIMEOUT(setting(Group.DEPARTURES, Unit.DURATION).byDefault("5s")
            .description("longest a write to a subscriber may stay unfinished before it ends write-stalled")
            .reference("a write to a subscriber unfinished for this long ends it `write-stalled`")),
    QUEUE_BYTES(setting(Group.DEPARTURES, Unit.BYTES).byDefault("4MiB")
            .description("bytes that may wait for one subscriber before it ends write-stalled")
            .reference("bytes that may wait for one subscriber; more ends it `write-stalled`. A replay from the "
                    + "history does not count.")),
    UNSENT_BYTES(setting(Group.DEPARTURES, Unit.BYTES).byDefault("64KiB")
            .description("bytes of one subscriber's stream the kernel may hold unsent, beyond LIFELINE_QUEUE_BYTES "
                    + "(Linux TCP_NOTSENT_LOWAT; SO_SNDBUF where the descriptor is out of reach): a reader that stops "
                    + "reading fills it, its next write waits, and it ends write-stalled at LIFELINE_DISPATCH_TIMEOUT; "
                    + "0: the kernel's own, up to net.ipv4.tcp_wmem's maximum (4 MiB by default) per connection")
            .reference("bytes of one subscriber's stream the kernel may hold unsent, beyond its queue: Linux "
                    + "`TCP_NOTSENT_LOWAT` where the descriptor is reachable (the embedded program; a WAR with the JVM "
                    + "flag), else `SO_SNDBUF`. A reader that stops reading fills it and ends `write-stalled` at "
                    + "`LIFELINE_DISPATCH_TIMEOUT` ([Readers that stop "
                    + "reading](departures.md#readers-that-stop-reading)). `0`: the kernel's own tuning, up to "
                    + "`net.ipv4.tcp_wmem`'s maximum; else from `4KiB` to `1GiB`.")),
    MAX_UPDATE_BYTES(setting(Group.HUB, Unit.BYTES).byDefault("1MiB")
            .description("largest publish request body; larger ones get 413")
            .reference("largest publish body; larger is refused with 413, judged from `Content-Length` before "
                    + "reading")),
    BODY_TIMEOUT(setting(Group.HUB, Unit.DURATION).byDefault("10s")
            .description("longest a publish request's body may take to arrive; a slower one gets 408")
            .reference("longest a publish request's body may take to arrive: a slower one is refused `408` and its "
                    + "connection closed. The body is read without holding a thread.")),
    WARMUP(setting(Group.SERVER, Unit.DURATION).byDefault("3s")
            .description("embedded program: longest the warm-up at start-up runs, before the port takes clients: a "
                    + "throwaway hub of its own on a loopback port, its clients subscribing, receiving and leaving, so "
                    + "that a node meets its first clients with its code compiled; no trace is left; 0s: none")
            .reference("embedded program: longest the warm-up at start-up runs, before the port takes clients. A "
                    + "throwaway hub of its own (a memory transport, a key made for it) listens on a loopback port, "
                    + "and clients of the program's own subscribe to it over TCP, receive an update now and then and "
                    + "leave, so that a node that has just started meets its first clients with its code compiled "
                    + "rather than interpreted. It leaves no trace in the real hub (no metric, history, subscription "
                    + "event or Redis traffic) and logs one line once done (`warm-up: … subscribers started and left "
                    + "and … updates delivered in 3.0 s, before the port took clients`). `0s`: none.")),
    HEADER_TIMEOUT(setting(Group.SERVER, Unit.DURATION).byDefault("10s")
            .description("embedded program: longest a connection may take to send a request's headers, counted from "
                    + "its opening or from the end of its previous request; then it is closed (idle keep-alive "
                    + "connections too)")
            .reference("embedded program: longest a connection may take to send a request's headers, counted from its "
                    + "opening or from the end of its previous request; then it is closed, and counted as "
                    + "`header-timeout`, idle keep-alive connections included. A subscriber's stream is never cut by "
                    + "it. (Jetty's idle timeout starts again with each byte: a client sending a byte a second would "
                    + "hold its connection for hours.)")),
    MAX_CONNECTIONS(setting(Group.SERVER, Unit.COUNT).byDefault("auto", "`auto`: the open-files limit less 100")
            .description("embedded program: connections held at most; more wait to be accepted; auto: the process's "
                    + "open-files limit less 100")
            .reference("embedded program: connections held at most (1 or more); beyond, Jetty stops accepting until "
                    + "one closes, so the process never runs out of open files. `auto`: the open-files limit less "
                    + "100.")),
    MAX_SUBSCRIBERS(setting(Group.HUB, Unit.COUNT).byDefault("auto", "`auto`: 90% of the open-files limit")
            .description("subscribers held at most; more are told to come back later; auto: 90% of the process's "
                    + "open-files limit; 0: no limit")
            .reference("subscribers held at most; more are sent away for later ([Refusals](api.md#refusals)). `auto`: "
                    + "90% of the process's open-files limit; `0`: no limit.")),
    MAX_SUBSCRIBERS_PER_ADDRESS(setting(Group.HUB, Unit.COUNT).byDefault("0", "`0`: no limit")
            .description("subscribers one client address may hold (IPv6: one /64); more are told to come back later; "
                    + "0: no limit")
            .reference("subscribers one client address may hold, an IPv6 client counting by its /64; more are sent "
                    + "away for later. `0`: no limit, the default, since behind a proxy every client shares its "
                    + "address.")),
    TRUSTED_PROXIES(setting(Group.HUB, Unit.ADDRESS_RANGES).byDefault("", "none")
            .description("addresses or ranges (10.0.0.0/8, fd00::/8; comma-separated) of proxies whose X-Forwarded-For "
                    + "and Forwarded headers name the client address")
            .reference("the proxies in front of Lifeline: from them, the client address is the nearest one `Forwarded: "
                    + "for=` or `X-Forwarded-For` names that is not a trusted proxy itself. Leave it empty where the "
                    + "container already resolves it (Tomcat's `RemoteIpValve`, Jetty's `forwarded` module).")),
    METRICS_TOKEN(setting(Group.OPERATIONS, Unit.TEXT).byDefault("", "none: `/metrics` answers anyone")
            .description("bearer token /metrics asks for (Authorization: Bearer <token>, as Prometheus sends it); "
                    + "empty: /metrics answers anyone who reaches it")
            .reference("a bearer token `/metrics` asks for (`Authorization: Bearer <token>`, as Prometheus sends it): "
                    + "letters, digits and `-._~+/`, then `=` padding; shorter than 16 characters, start-up warns. "
                    + "Without it `/metrics` answers anyone who reaches it, which start-up says.")),
    DEMO(setting(Group.OPERATIONS, Unit.BOOLEAN).byDefault("true")
            .description("true offers the F5 demonstration on the live page at / (to admin tokens; to the hub's own "
                    + "pages in development mode); false turns it off")
            .reference("whether the live page offers [the F5 demonstration](live-view.md#the-f5-demonstration) (to "
                    + "admin tokens; in development mode, to the hub's own pages); `false` turns it off")),
    WATCH(setting(Group.DEPARTURES, Unit.CHOICE).byDefault("auto")
            .description("departure watch: auto (the container's hook where one exists) or none (heartbeats only)")
            .reference("`auto`: the container's departure watch where one exists; `none`: heartbeats only")),
    MAX_LIFETIME(setting(Group.DEPARTURES, Unit.DURATION).byDefault("auto",
            "`auto`: `30m`, `15m` where no departure watch guards")
            .description("longest a subscriber stays connected before it is told to reconnect, less up to a fifth at "
                    + "random; auto: 30m, and 15m for subscribers no departure watch guards; 0s: unbounded")
            .reference("longest a subscriber stays connected: its stream then ends `max-lifetime` with its cursor and "
                    + "a `retry:` hint, and the client reconnects with `Last-Event-ID`, missing nothing. It bounds "
                    + "what nothing else sees: a client whose process froze while its kernel still acknowledges, and, "
                    + "where no departure watch guards a subscriber, a FIN behind a proxy that keeps accepting bytes. "
                    + "Each subscriber's bound is shortened at random by up to a fifth, so that those who came "
                    + "together do not leave together. `auto`: `30m`, and `15m` for subscribers no departure watch "
                    + "guards; a duration bounds every subscriber; `0s` bounds none.")),
    TCP_USER_TIMEOUT(setting(Group.DEPARTURES, Unit.DURATION).byDefault("auto",
            "`auto`: `30s` in the embedded program, off in a WAR")
            .description("longest the bytes sent to a subscriber may stay unacknowledged before the kernel aborts its "
                    + "connection (Linux TCP_USER_TIMEOUT; ends client-timeout); auto: 30s in the embedded program (or "
                    + "LIFELINE_DISPATCH_TIMEOUT if longer), off in a WAR (it needs a JVM flag there, see \"The TCP "
                    + "user timeout in a WAR\" in docs/war.md); 0s: off; a value below LIFELINE_DISPATCH_TIMEOUT stops "
                    + "start-up")
            .reference("longest the bytes sent to a subscriber may stay unacknowledged before the kernel aborts its "
                    + "connection (Linux `TCP_USER_TIMEOUT`): a client that vanished without a FIN or an RST then ends "
                    + "`client-timeout`. `auto`: `30s` in the embedded program (or `LIFELINE_DISPATCH_TIMEOUT` if that "
                    + "is longer), off in a WAR, where it needs a JVM flag ([the TCP user timeout in a "
                    + "WAR](war.md#the-tcp-user-timeout-in-a-war)); `0s`: off. Never below "
                    + "`LIFELINE_DISPATCH_TIMEOUT`: a shorter value stops start-up, since the kernel would cut readers "
                    + "that are only slow."));

    /**
     * The concern a setting belongs to: the record of {@link Settings} that holds its value, and the section of the
     * configuration reference that lists it.
     */
    public enum Group {
        SERVER("The embedded program", "how the embedded program listens; a WAR's container has its own"),
        AUTHORIZATION("Authorization", "who may publish and subscribe, and from which pages"),
        HUB("The hub", "what the hub speaks, keeps and admits"),
        DEPARTURES("Departures", "how a subscriber's departure is noticed, and what bounds one that is not"),
        CLUSTER("The cluster", "where the order of updates and the history live"),
        OPERATIONS("Operations", "what an operator reaches besides the hub");

        private final String title;
        private final String summary;

        Group(String title, String summary) {
            this.title = title;
            this.summary = summary;
        }

        /** The title of the reference's section, in plain text: {@code Departures}. */
        public String title() {
            return title;
        }

        /** What the section's settings are about, in one line of plain text. */
        public String summary() {
            return summary;
        }
    }

    /**
     * What kind of value a setting takes, as the configuration reference names it, with how to write one. The
     * reference text of a setting says what else it takes besides (such as {@code auto}, or {@code 0} for none).
     */
    public enum Unit {
        DURATION("duration", "a whole number and a unit, `ms`, `s`, `m` or `h`: `500ms`, `15s`, `2m`, `1h`; `0s` "
                + "only where the description says what it means"),
        BYTES("bytes", "a whole number of bytes, or of `KiB`, `MiB` or `GiB`, below 2 GiB: `4096`, `64KiB`, `4MiB`, "
                + "`1GiB`; `0` only where the description says what it means"),
        COUNT("count", "a whole number: `0`, `1000`"),
        PORT("port", "a TCP port, from `0` to `65535`: `8080`"),
        BOOLEAN("boolean", "exactly `true` or `false`"),
        CHOICE("choice", "one of the words the description names, in any case: `auto`, `HS256`"),
        NAMES("list of names", "names the description lists, as written there, comma-separated: `draft-07,1.0`"),
        TEXT("text", "the characters as given, to the limits the description names: `mercureAuthorization`"),
        KEY("key", "an HMAC secret as text, or an RSA public key in PEM (`-----BEGIN PUBLIC KEY-----` ...)"),
        FILE("file", "a path to a readable file, relative to the working directory or absolute: "
                + "`/etc/lifeline/keystore.p12`"),
        ADDRESS("address", "a host name or an IP address: `127.0.0.1`, `::1`, `hub.example.com`"),
        URI("URI", "an absolute URI: `https://hub.example.com/.well-known/mercure`"),
        ORIGINS("list of origins", "origins as browsers send them (scheme, host and port only), comma-separated: "
                + "`https://app.example.com, http://localhost:3000`; `*` for any"),
        ADDRESS_RANGES("list of address ranges", "addresses or CIDR ranges, comma-separated: "
                + "`10.0.0.0/8, fd00::/8, 192.0.2.7`"),
        JSON("JSON", "a JSON object, on one line or several: `{\"https://idp.example.com\": {\"metadata\": true}}`");

        private final String label;
        private final String howToWrite;

        Unit(String label, String howToWrite) {
            this.label = label;
            this.howToWrite = howToWrite;
        }

        /** The unit as the reference names it, in plain text: {@code duration}, {@code list of origins}. */
        public String label() {
            return label;
        }

        /**
         * How to write a value of this unit, with examples, in Markdown (values in backticks): {@code a whole number
         * and a unit, `ms`, `s`, `m` or `h`: `500ms`, `15s`, `2m`, `1h`}.
         */
        public String howToWrite() {
            return howToWrite;
        }
    }

    private final Group group;
    private final Unit unit;
    private final String defaultValue;
    private final String defaultInWords;
    private final String description;
    private final String reference;

    Setting(Spec spec) {
        this.group = spec.group;
        this.unit = spec.unit;
        this.defaultValue = spec.defaultValue;
        this.defaultInWords = spec.defaultInWords != null ? spec.defaultInWords
                : spec.defaultValue == null || spec.defaultValue.isEmpty() ? "" : "`" + spec.defaultValue + "`";
        this.description = spec.description;
        this.reference = spec.reference;
    }

    /** {@code LIFELINE_JWT_KEY}. */
    public String envName() {
        return "LIFELINE_" + name();
    }

    /** {@code lifeline.jwt.key}: the system property and the servlet context init-param. */
    public String propertyName() {
        return "lifeline." + name().toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** {@code --jwt-key}. */
    public String flagName() {
        return "--" + name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The value used when no source gives one, or null when the setting has no default. */
    public String defaultValue() {
        return defaultValue;
    }

    /** The one line {@code --help} prints, in plain text. */
    public String description() {
        return description;
    }

    /** The concern the setting belongs to. */
    public Group group() {
        return group;
    }

    /** What kind of value the setting takes. */
    public Unit unit() {
        return unit;
    }

    /**
     * The default as the reference states it, in one line of Markdown: the default value in backticks
     * ({@code `15s`}), or words where that value alone would not say what happens ({@code every interface;
     * `127.0.0.1` in development mode}, {@code `auto`: 90% of the open-files limit}, {@code none: development mode}).
     */
    public String defaultInWords() {
        return defaultInWords;
    }

    /**
     * The reference's description of the setting, in one line of Markdown (values and names in backticks), fuller than
     * {@link #description()}: what the setting does, what else it takes besides its {@link #unit()}, and what a value
     * stops start-up. Its links are relative to {@code docs/}, where the reference is: {@code
     * [Refusals](api.md#refusals)}.
     */
    public String reference() {
        return reference;
    }

    /** Starts the description of a setting of this group whose values are of this unit. */
    private static Spec setting(Group group, Unit unit) {
        return new Spec(group, unit);
    }

    /** A setting's default and texts, named as they are given. */
    private static final class Spec {
        private final Group group;
        private final Unit unit;
        private String defaultValue;
        private String defaultInWords;
        private String description;
        private String reference;

        private Spec(Group group, Unit unit) {
            this.group = group;
            this.unit = unit;
        }

        /** The default value, which the reference shows as it is. */
        Spec byDefault(String value) {
            this.defaultValue = value;
            return this;
        }

        /** The default value, and how the reference states it (Markdown). */
        Spec byDefault(String value, String inWords) {
            this.defaultValue = value;
            this.defaultInWords = inWords;
            return this;
        }

        /** No default value: what happens without one, as the reference states it (Markdown). */
        Spec noDefault(String inWords) {
            this.defaultValue = null;
            this.defaultInWords = inWords;
            return this;
        }

        /** The one line of {@code --help}, in plain text. */
        Spec description(String text) {
            this.description = text;
            return this;
        }

        /** The reference's text, in Markdown. */
        Spec reference(String text) {
            this.reference = text;
            return this;
        }
    }
}
