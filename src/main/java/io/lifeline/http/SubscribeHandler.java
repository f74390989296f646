package io.lifeline.http;

import io.lifeline.auth.Authorizer;
import io.lifeline.auth.Claims;
import io.lifeline.hub.Hub;
import io.lifeline.protocol.Limits;
import io.lifeline.protocol.ProtocolException;
import io.lifeline.protocol.RandomIds;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.watch.Watches;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /.well-known/mercure?topic=...}: opens a subscriber's event stream.
 *
 * <p>A reconnecting client names the last update it saw ({@code Last-Event-ID} header, else {@code lastEventID}
 * query parameter); it first gets what it missed, then the live stream, and the response's {@code Last-Event-ID}
 * says which update the replay follows ({@code earliest} when that update is no longer held).</p>
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

    private final Hub hub;
    private final Authorizer authorizer;
    private final Watches watches;
    private final RequestTokens tokens;
    private final ClientAddresses clients;

    SubscribeHandler(Hub hub, Authorizer authorizer, Watches watches, RequestTokens tokens, ClientAddresses clients) {
        this.hub = hub;
        this.authorizer = authorizer;
        this.watches = watches;
        this.tokens = tokens;
        this.clients = clients;
    }

    void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Optional<Claims> claims;
        List<String> topics;
        String lastEventId = lastEventId(request);
        try {
            if (hub.isStopping()) {
                long retryMillis = hub.reconnectMillis();
                hub.metrics().refused("stopping");
                sendAway(request, response, Responses.stopping(retryMillis), lastEventId, retryMillis);
                return;
            }
            claims = authorizer.subscriber(tokens.find(request));
            String[] values = request.getParameterValues("topic");
            topics = values == null ? List.of() : Arrays.asList(values);
            Limits.checkTopics(topics);
            if (request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null) {
                throw ProtocolException.badRequest("a subscription request has no body");
            }
        } catch (ProtocolException refusal) {
            Responses.refuse(response, refusal);
            return;
        }
        String clientAddress = clients.keyOf(request);
        String full = hub.admit(clientAddress);
        if (full != null) {
            long retryMillis = hub.reconnectMillis();
            sendAway(request, response, Responses.unavailable(full, retryMillis), lastEventId, retryMillis);
            return;
        }

        OpenedStream opened = OpenedStream.open(request, response, watches, stream -> new Subscriber(
                RandomIds.urn(), topics, claims.orElse(null),
                request.getRemoteAddr() + ":" + request.getRemotePort(), clientAddress, stream, hub),
                () -> hub.release(clientAddress)); // an ended subscriber gives back what admit() counted itself
        String preceding = hub.add(opened.subscriber(), lastEventId);
        if (lastEventId != null) {
            HeaderText.set(response, "Last-Event-ID", preceding);
        }
        opened.run();
    }

    /**
     * Sends a subscriber away for now ({@link Responses#later}), telling it where to resume; a request that named
     * its last event id gets it back in {@code Last-Event-ID}, as the protocol asks, since nothing was replayed.
     */
    private void sendAway(HttpServletRequest request, HttpServletResponse response, ProtocolException refusal,
                          String lastEventId, long retryMillis) throws IOException {
        if (lastEventId != null) {
            HeaderText.set(response, "Last-Event-ID", lastEventId);
        }
        Responses.later(request, response, refusal, cursorFor(lastEventId), retryMillis);
    }

    /**
     * Where a refused client resumes: its own last event id, unless that cannot be an SSE id (empty, or holding CR, LF
     * or NUL, which only the query parameter can carry); else the hub's position now, so that a new client misses
     * nothing published while it was away either.
     */
    private String cursorFor(String lastEventId) {
        if (lastEventId != null && lastEventId.chars().noneMatch(c -> c == '\r' || c == '\n' || c == 0)) {
            return lastEventId;
        }
        return hub.position();
    }

    /** The header wins over the query parameter; empty counts as absent. */
    private static String lastEventId(HttpServletRequest request) {
        String header = HeaderText.read(request, "Last-Event-ID");
        if (header != null && !header.isEmpty()) {
            return header;
        }
        String query = request.getParameter("lastEventID");
        return query == null || query.isEmpty() ? null : query;
    }
}
