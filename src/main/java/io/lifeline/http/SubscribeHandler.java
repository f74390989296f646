package io.lifeline.http;

import io.lifeline.auth.Authorizer;
import io.lifeline.auth.Claims;
import io.lifeline.config.Settings;
import io.lifeline.hub.Hub;
import io.lifeline.protocol.EventStream;
import io.lifeline.protocol.FormBody;
import io.lifeline.protocol.Limits;
import io.lifeline.protocol.ProtocolException;
import io.lifeline.protocol.RandomIds;
import io.lifeline.protocol.draft07.TopicParameters;
import io.lifeline.protocol.draft08.MatchParameters;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.topic.Matcher;
import io.lifeline.watch.Watches;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /.well-known/mercure?topic=...} (draft-07) or {@code ?match=...} (Mercure 1.0), or a {@code QUERY} with
 * those parameters in its body: opens a subscriber's event stream. The query is decoded strictly
 * ({@link FormBody#parseQuery}); a parameter in the reserved {@code match} namespace makes the request a 1.0 one
 * ({@link MatchParameters}), and naming topics both ways is a 400. Both end up as the same {@link Subscriber} with
 * its {@link Matcher}s, so updates of either kind of publisher reach subscribers of either dialect.
 *
 * <p>A reconnecting client names the last update it saw ({@code Last-Event-ID} header, else the query parameter,
 * {@code lastEventID} or {@code last_event_id}); it first gets what it missed, then the live stream, and the
 * response's {@code Last-Event-ID} (draft-07) or {@code Mercure-Last-Event-ID} (1.0) says which update the replay
 * follows ({@code earliest} when that update is no longer held).</p>
 *
 * <p>Every stream gives its client a cursor (an id-only block after any replay), so that a client cut before its
 * first event still resumes where it left. {@code Last-Event-ID} is read and written as UTF-8 ({@link HeaderText}).
 * A hub that is stopping answers a temporary refusal an EventSource comes back from ({@link Responses#later}).</p>
 *
 * <p>On HTTP/1.x the response carries {@code Connection: close}: one stream per connection, so that when the stream
 * ends the connection ends with it and a departure watch can never meet a second request on the same
 * connection.</p>
 */
final class SubscribeHandler {

    /** The safe method whose body carries a subscription's parameters (RFC 10008). */
    static final String QUERY = "QUERY";

    /** The request attribute holding a {@code QUERY}'s body once it has been read. */
    private static final String BODY = SubscribeHandler.class.getName() + ".body";

    private static final Logger LOG = LoggerFactory.getLogger(SubscribeHandler.class);

    private final Hub hub;
    private final Authorizer authorizer;
    private final Watches watches;
    /** Whether the container's refusals of encoded paths have been looked at: once, at the first subscription. */
    private final AtomicBoolean pathsChecked = new AtomicBoolean();
    private final RequestTokens tokens;
    private final ClientAddresses clients;
    private final Set<Dialect> spoken;
    private final FormBodyReader bodies;

    /**
     * @param settings says which dialects subscriptions may speak ({@code LIFELINE_DIALECTS}); any other is a 400;
     *                 and how long a {@code QUERY} body may take to arrive ({@code LIFELINE_BODY_TIMEOUT})
     */
    SubscribeHandler(Hub hub, Authorizer authorizer, Watches watches, RequestTokens tokens, ClientAddresses clients,
                     Settings settings) {
        this.hub = hub;
        this.authorizer = authorizer;
        this.watches = watches;
        this.tokens = tokens;
        this.clients = clients;
        this.bodies = new FormBodyReader(tokens, hub.metrics(), "a subscription's body",
                Limits.MAX_SUBSCRIPTION_BODY_BYTES, settings.hub().bodyTimeout());
        this.spoken = EnumSet.noneOf(Dialect.class);
        for (Dialect dialect : Dialect.values()) {
            if (settings.hub().speaks(dialect.setting)) {
                spoken.add(dialect);
            }
        }
    }

    /** A {@code GET}: the subscription's parameters are in the query. */
    void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        handle(request, response, null, false);
    }

    /**
     * A {@code HEAD} (RFC 9110, section 9.3.2): the status and headers its {@code GET} would get, every check made,
     * and no body; no stream is opened, no subscriber created, and nothing is replayed, so no {@code Last-Event-ID}
     * header names where a replay would follow.
     */
    void handleHead(HttpServletRequest request, HttpServletResponse response) throws IOException {
        handle(request, response, null, true);
    }

    /**
     * A {@code QUERY} (RFC 10008): the subscription's parameters are in the body, a form ({@code 415} with
     * {@code Accept-Query} otherwise), and may be in the query too; both are read as one (Mercure 1.0, section
     * "Subscription"). The token is checked before the body is read; the body is read without blocking a thread
     * ({@link FormBodyReader}, at most {@link Limits#MAX_SUBSCRIPTION_BODY_BYTES}), then the request is dispatched
     * again to open its stream as a {@code GET} would.
     */
    void handleQuery(HttpServletRequest request, HttpServletResponse response) throws IOException {
        FormBody read = (FormBody) request.getAttribute(BODY);
        if (read != null) {
            handle(request, response, read, false);
            return;
        }
        try {
            if (!hub.isStopping()) {
                authorizer.subscriber(tokens.find(request));
            }
            bodies.checkHeaders(request, response, true);
        } catch (ProtocolException refusal) {
            tokens.refuse(response, refusal);
            return;
        }
        bodies.read(request, (async, body) -> {
            request.setAttribute(BODY, FormBody.parse(body));
            async.dispatch();
        });
    }

    /**
     * @param body the parameters a {@code QUERY} carried in its body, or null for a {@code GET}
     * @param head a {@code HEAD}: everything but the stream
     */
    private void handle(HttpServletRequest request, HttpServletResponse response, FormBody body, boolean head)
            throws IOException {
        Optional<Claims> claims;
        List<Matcher> matchers;
        Dialect dialect;
        String lastEventId;
        try {
            FormBody query = FormBody.parseQuery(request.getQueryString());
            if (body != null) {
                query = query.union(body);
            }
            dialect = MatchParameters.anyIn(query) ? Dialect.MERCURE_1_0 : Dialect.DRAFT_07;
            lastEventId = lastEventId(request, query, dialect);
            if (hub.isStopping()) {
                long retryMillis = hub.reconnectMillis();
                hub.metrics().refused("stopping");
                sendAway(request, response, Responses.stopping(retryMillis), lastEventId, dialect, retryMillis);
                return;
            }
            if (!spoken.contains(dialect)) {
                throw ProtocolException.badRequest(dialect.turnedOff);
            }
            claims = authorizer.subscriber(tokens.find(request));
            if (dialect == Dialect.MERCURE_1_0) {
                if (TopicParameters.anyIn(query)) {
                    throw ProtocolException.badRequest("a subscription names its topics with either \"topic\""
                            + " (draft-07) or \"match\" parameters (Mercure 1.0), not both");
                }
                matchers = MatchParameters.parse(query);
            } else {
                matchers = TopicParameters.parse(query);
            }
            boolean sentBody = request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
            if (body == null && sentBody) {
                throw ProtocolException.badRequest("a subscription request has no body");
            }
        } catch (ProtocolException refusal) {
            tokens.refuse(response, refusal);
            return;
        }
        String unavailable = hub.unavailable();
        if (unavailable != null) {
            long retryMillis = hub.reconnectMillis();
            hub.metrics().refused("hub-unavailable");
            sendAway(request, response, Responses.unavailable(unavailable, retryMillis), lastEventId, dialect,
                    retryMillis);
            return;
        }
        String clientAddress = clients.keyOf(request);
        if (head) {
            String full = hub.wouldRefuse(clientAddress);
            if (full != null) {
                long retryMillis = hub.reconnectMillis();
                sendAway(request, response, Responses.unavailable(full, retryMillis), lastEventId, dialect,
                        retryMillis);
            } else {
                Responses.headOfEventStream(request, response);
            }
            return;
        }
        String full = hub.admit(clientAddress);
        if (full != null) {
            long retryMillis = hub.reconnectMillis();
            sendAway(request, response, Responses.unavailable(full, retryMillis), lastEventId, dialect, retryMillis);
            return;
        }

        if (pathsChecked.compareAndSet(false, true)) {
            warnIfTopicPathsAreRefused(request);
        }
        OpenedStream opened = OpenedStream.open(request, response, watches, stream -> new Subscriber(
                RandomIds.urn(), matchers, claims.orElse(null),
                request.getRemoteAddr() + ":" + request.getRemotePort(), clientAddress, stream, hub),
                () -> hub.release(clientAddress)); // an ended subscriber gives back what admit() counted itself
        String preceding = hub.add(opened.subscriber(), lastEventId);
        if (lastEventId != null) {
            HeaderText.set(response, dialect.lastEventIdHeader, preceding);
        }
        opened.run();
    }

    /**
     * Sends a subscriber away for now ({@link Responses#later}), telling it where to resume; a request that named
     * its last event id gets it back in the dialect's header, as the protocol asks, since nothing was replayed.
     */
    private void sendAway(HttpServletRequest request, HttpServletResponse response, ProtocolException refusal,
                          String lastEventId, Dialect dialect, long retryMillis) throws IOException {
        if (lastEventId != null) {
            HeaderText.set(response, dialect.lastEventIdHeader, lastEventId);
        }
        Responses.later(request, response, refusal, cursorFor(lastEventId), retryMillis);
    }

    /**
     * Where a refused client resumes: its own last event id, unless that cannot be an SSE id (empty, or holding CR, LF
     * or NUL, which only the query parameter can carry); else the hub's position now, so that a new client misses
     * nothing published while it was away either.
     */
    private String cursorFor(String lastEventId) {
        if (lastEventId != null && EventStream.canBeId(lastEventId)) {
            return lastEventId;
        }
        return hub.position();
    }

    /**
     * The {@code Last-Event-ID} header wins over the query parameter: the dialect's own ({@code lastEventID} in
     * draft-07, {@code last_event_id} in 1.0, section "Reconnection, State Reconciliation, and Event Sourcing"), else
     * the other dialect's, which a hub of that dialect alone would ignore: a client that mixes the two resumes where
     * it asked instead of silently missing updates. Empty counts as absent.
     */
    private static String lastEventId(HttpServletRequest request, FormBody query, Dialect dialect) {
        String header = HeaderText.read(request, "Last-Event-ID");
        if (header != null && !header.isEmpty()) {
            return header;
        }
        for (Dialect d : List.of(dialect, dialect.other())) {
            String value = query.first(d.lastEventIdParameter);
            if (value != null && !value.isEmpty()) {
                return value;
            }
        }
        return null;
    }

    /**
     * The two generations of the protocol a subscription request can speak, told apart by its parameters: any name
     * in the reserved {@code match} namespace means Mercure 1.0, else it is draft-07.
     */
    private enum Dialect {
        DRAFT_07(Settings.DRAFT_07, io.lifeline.protocol.draft07.Reconciliation.LAST_EVENT_ID_PARAMETER,
                io.lifeline.protocol.draft07.Reconciliation.LAST_EVENT_ID_HEADER,
                "draft-07 subscriptions (\"topic\") are turned off on this hub (LIFELINE_DIALECTS): subscribe with"
                        + " \"match\" (Mercure 1.0)"),
        MERCURE_1_0(Settings.MERCURE_1_0, io.lifeline.protocol.draft08.Reconciliation.LAST_EVENT_ID_PARAMETER,
                io.lifeline.protocol.draft08.Reconciliation.LAST_EVENT_ID_HEADER,
                "Mercure 1.0 subscriptions (\"match\" and every parameter beginning with \"match\") are turned off"
                        + " on this hub (LIFELINE_DIALECTS): subscribe with \"topic\" (draft-07)");

        /** Its name in {@code LIFELINE_DIALECTS}. */
        final String setting;
        final String lastEventIdParameter;
        /** The response header naming the update the replay follows. */
        final String lastEventIdHeader;
        /** The reason a request in this dialect is refused where it is turned off. */
        final String turnedOff;

        Dialect(String setting, String lastEventIdParameter, String lastEventIdHeader, String turnedOff) {
            this.setting = setting;
            this.lastEventIdParameter = lastEventIdParameter;
            this.lastEventIdHeader = lastEventIdHeader;
            this.turnedOff = turnedOff;
        }

        Dialect other() {
            return this == DRAFT_07 ? MERCURE_1_0 : DRAFT_07;
        }
    }

    /**
     * The subscriptions API carries topics in a path segment, a URL's slashes encoded as {@code %2F} and a backslash
     * as {@code %5C}; a container that refuses such paths answers its own 400 before Lifeline sees them (Tomcat, unless
     * its connector is told otherwise). Said once, at the first subscription, where the departure watch can tell.
     */
    private void warnIfTopicPathsAreRefused(HttpServletRequest request) {
        Map<String, String> refused = watches.refusedInPaths(request);
        if (refused.containsKey("%2F")) {
            LOG.warn("this Tomcat connector refuses %2F in paths (encodedSolidusHandling=\"reject\"): the "
                    + "subscriptions API cannot be asked about URL topics; set encodedSolidusHandling=\"passthrough\" "
                    + "on the <Connector> in conf/server.xml");
        }
        if (refused.containsKey("%5C")) {
            LOG.warn("this Tomcat connector refuses %5C in paths (encodedReverseSolidusHandling=\"reject\"): the "
                    + "subscriptions API cannot be asked about topics holding a backslash; set "
                    + "encodedReverseSolidusHandling=\"passthrough\" on the <Connector> in conf/server.xml");
        }
    }
}
