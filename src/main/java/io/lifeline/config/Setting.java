package io.lifeline.config;

import java.util.Locale;

/**
 * Every setting Lifeline reads, with its default and the names it goes by.
 *
 * <p>One setting has four spellings: the environment variable {@code LIFELINE_JWT_KEY}, the system property and
 * servlet context init-param {@code lifeline.jwt.key}, and the command-line flag {@code --jwt-key} of the embedded
 * program. Where several are given, the flag wins, then the system property, then the environment, then the
 * init-param.</p>
 */
public enum Setting {
    PORT("8080", "TCP port of the embedded program; 0 picks any free port"),
    HOST("", "address the embedded program binds; empty means every interface (loopback only in development mode)"),
    HTTP2("true", "true: the embedded program also speaks HTTP/2 (h2c in plain text, h2 over TLS)"),
    TLS_KEYSTORE("", "PKCS12 or JKS keystore: when set, the embedded program serves HTTPS only"),
    TLS_KEYSTORE_PASSWORD("", "password of LIFELINE_TLS_KEYSTORE"),
    JWT_KEY(null, "key for publisher and subscriber tokens: an HMAC secret, or a PEM public key for RS256"),
    JWT_ALGORITHM("HS256", "algorithm of LIFELINE_JWT_KEY: HS256 or RS256"),
    PUBLISHER_JWT_KEY(null, "key for publisher tokens; defaults to LIFELINE_JWT_KEY"),
    PUBLISHER_JWT_ALGORITHM(null, "algorithm of the publisher key; defaults to LIFELINE_JWT_ALGORITHM"),
    SUBSCRIBER_JWT_KEY(null, "key for subscriber tokens; defaults to LIFELINE_JWT_KEY"),
    SUBSCRIBER_JWT_ALGORITHM(null, "algorithm of the subscriber key; defaults to LIFELINE_JWT_ALGORITHM"),
    RESOURCE("", "Mercure 1.0: the hub's resource identifier, which every access token's aud must contain (RFC "
            + "9068), e.g. https://hub.example.com/.well-known/mercure; empty: 1.0 access tokens are refused"),
    ISSUERS("", "Mercure 1.0: the issuers whose access tokens the hub trusts, as JSON from issuer to its keys: "
            + "{\"<iss>\": {\"jwks\": {...}} or {\"jwks_file\": \"path\"} or {\"jwks_uri\": \"https://...\"} or "
            + "{\"metadata\": true}}"),
    ALGORITHMS("EdDSA,ES256,RS256", "Mercure 1.0: the signature algorithms an access token may use "
            + "(comma-separated); HS256 only where named here; none is never accepted"),
    ANONYMOUS("false", "true lets subscribers connect without a token"),
    COOKIE_NAME("mercureAuthorization", "name of the cookie a browser may carry its token in"),
    CORS_ORIGINS("", "origins (scheme://host[:port], comma-separated) whose pages may use the hub; * for any, without credentials"),
    PUBLISH_ORIGINS(null, "origins allowed to publish with the cookie, besides the hub's own; defaults to LIFELINE_CORS_ORIGINS"),
    HISTORY_SIZE("1000", "updates kept for subscribers that reconnect with Last-Event-ID; 0 keeps none"),
    HISTORY_BYTES("16MiB", "bytes of updates kept in the history"),
    TRANSPORT("memory", "where the order of updates and the history live: memory (this process alone), or a Redis "
            + "URI (redis://[password@]host[:port][/db], rediss:// over TLS, redis-sentinel://host:port[,host:port]"
            + "/db#master) shared by every node of a cluster"),
    REDIS_TIMEOUT("5s", "with a Redis transport: longest one Redis command may take before the publish or subscriber "
            + "that waits for it is told to come back later, and longest start-up waits for Redis to answer"),
    NODE_NAME("auto", "with a Redis transport: this node's name, unique in the cluster, shown in logs and as the node "
            + "label of its metrics; auto: the host name and a random suffix"),
    NODE_TIMEOUT("5s", "with a Redis transport: a node silent in Redis for this long is taken for gone, and another "
            + "node announces its subscribers' ends"),
    SUBSCRIPTION_EVENTS("true", "true publishes a private update each time a subscription starts or ends, in the "
            + "shape of each dialect in LIFELINE_DIALECTS"),
    DIALECTS("draft-07,1.0", "protocol generations the hub speaks (comma-separated): draft-07 (topic, mercure claim), "
            + "1.0 (match, at+jwt access tokens), or both; a subscription in one left out gets 400, its token 401"),
    CURSOR_EVENT("true", "true gives every stream an id-only block before its first update, so that EventSource "
            + "holds a Last-Event-ID from the start; false leaves it out, for clients that wrongly deliver such a block as a "
            + "message (Gatling's SSE client): they can then resume only from the last update they received"),
    DRAIN("5s", "on shutdown, subscribers are ended spread over this long, each told to reconnect after a random delay"),
    HEARTBEAT("15s", "interval of the SSE comment written to idle subscribers"),
    DISPATCH_TIMEOUT("5s", "longest a write to a subscriber may stay unfinished before it ends write-stalled"),
    QUEUE_BYTES("4MiB", "bytes that may wait for one subscriber before it ends write-stalled"),
    UNSENT_BYTES("64KiB", "bytes of one subscriber's stream the kernel may hold unsent, beyond LIFELINE_QUEUE_BYTES "
            + "(Linux TCP_NOTSENT_LOWAT; SO_SNDBUF where the descriptor is out of reach): a reader that stops reading "
            + "fills it, its next write waits, and it ends write-stalled at LIFELINE_DISPATCH_TIMEOUT; 0: the kernel's "
            + "own, up to net.ipv4.tcp_wmem's maximum (4 MiB by default) per connection"),
    MAX_UPDATE_BYTES("1MiB", "largest publish request body; larger ones get 413"),
    BODY_TIMEOUT("10s", "longest a publish request's body may take to arrive; a slower one gets 408"),
    WARMUP("3s", "embedded program: longest the warm-up at start-up runs, before the port takes clients: a throwaway hub "
            + "of its own on a loopback port, its clients subscribing, receiving and leaving, so that a node meets its "
            + "first clients with its code compiled; no trace is left; 0s: none"),
    HEADER_TIMEOUT("10s", "embedded program: longest a connection may take to send a request's headers, counted "
            + "from its opening or from the end of its previous request; then it is closed (idle keep-alive "
            + "connections too)"),
    MAX_CONNECTIONS("auto", "embedded program: connections held at most; more wait to be accepted; auto: the "
            + "process's open-files limit less 100"),
    MAX_SUBSCRIBERS("auto", "subscribers held at most; more are told to come back later; auto: 90% of the "
            + "process's open-files limit; 0: no limit"),
    MAX_SUBSCRIBERS_PER_ADDRESS("0", "subscribers one client address may hold (IPv6: one /64); more are told to come "
            + "back later; 0: no limit"),
    TRUSTED_PROXIES("", "addresses or ranges (10.0.0.0/8, fd00::/8; comma-separated) of proxies whose "
            + "X-Forwarded-For and Forwarded headers name the client address"),
    METRICS_TOKEN("", "bearer token /metrics asks for (Authorization: Bearer <token>, as Prometheus sends it); empty: "
            + "/metrics answers anyone who reaches it"),
    DEMO("true", "true offers the F5 demonstration on the live page at / (to admin tokens; to the hub's own pages "
            + "in development mode); false turns it off"),
    WATCH("auto", "departure watch: auto (the container's hook where one exists) or none (heartbeats only)"),
    MAX_LIFETIME("auto", "longest a subscriber stays connected before it is told to reconnect, less up to a fifth at "
            + "random; auto: 30m, and 15m for subscribers no departure watch guards; 0s: unbounded"),
    TCP_USER_TIMEOUT("auto", "longest the bytes sent to a subscriber may stay unacknowledged before the kernel aborts "
            + "its connection (Linux TCP_USER_TIMEOUT; ends client-timeout); auto: 30s in the embedded program (or "
            + "LIFELINE_DISPATCH_TIMEOUT if longer), off in a WAR (it needs a JVM flag there, see the README); 0s: off; "
            + "a value below LIFELINE_DISPATCH_TIMEOUT stops start-up");

    private final String defaultValue;
    private final String description;

    Setting(String defaultValue, String description) {
        this.defaultValue = defaultValue;
        this.description = description;
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

    public String description() {
        return description;
    }
}
