package io.lifeline.http;

import io.lifeline.auth.Authorizer;
import io.lifeline.auth.Claims;
import io.lifeline.hub.Hub;
import io.lifeline.protocol.Limits;
import io.lifeline.protocol.ProtocolException;
import io.lifeline.subscriber.EndReason;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.watch.Watches;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code GET /.well-known/mercure?topic=...}: opens a subscriber's event stream.
 *
 * <p>On HTTP/1.x the response carries {@code Connection: close}: one stream per connection, so that when the stream
 * ends the connection ends with it and a departure watch can never meet a second request on the same
 * connection.</p>
 */
final class SubscribeHandler {

    private final Hub hub;
    private final Authorizer authorizer;
    private final Watches watches;

    SubscribeHandler(Hub hub, Authorizer authorizer, Watches watches) {
        this.hub = hub;
        this.authorizer = authorizer;
        this.watches = watches;
    }

    void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Optional<Claims> claims;
        List<String> topics;
        try {
            if (hub.isStopping()) {
                throw Responses.stopping();
            }
            claims = authorizer.subscriber(Responses.bearerToken(request));
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

        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("text/event-stream");
        response.setHeader("Cache-Control", "private, no-cache, no-store");
        response.setHeader("X-Accel-Buffering", "no");
        if (request.getProtocol().startsWith("HTTP/1.")) {
            response.setHeader("Connection", "close");
        }

        AsyncContext async = request.startAsync();
        async.setTimeout(0);
        ServletSseStream stream = new ServletSseStream(async);
        Subscriber subscriber = new Subscriber("urn:uuid:" + UUID.randomUUID(), topics, claims.orElse(null),
                request.getRemoteAddr() + ":" + request.getRemotePort(), stream, hub);
        Watches.Prepared watch = watches.prepare(request, subscriber);
        subscriber.attachWatch(watch.kind(), watch.handle());
        hub.add(subscriber);
        try {
            stream.start(subscriber, watch.handle());
            watch.handle().arm();
        } catch (RuntimeException e) {
            subscriber.end(EndReason.INTERNAL_ERROR);
            throw e;
        }
    }
}
