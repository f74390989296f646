package io.lifeline.http;

import io.lifeline.auth.Authorizer;
import io.lifeline.auth.Claims;
import io.lifeline.hub.Hub;
import io.lifeline.live.LiveFeed;
import io.lifeline.protocol.ProtocolException;
import io.lifeline.protocol.RandomIds;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.topic.Matcher;
import io.lifeline.watch.Watches;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /.lifeline/live}: the live view's event stream ({@link LiveFeed}): a {@code snapshot} event, then a
 * {@code tick} event whenever subscribers started or ended (at most every {@link LiveFeed#TICK}), and the F5
 * demonstration's steps as {@code demonstration} events.
 *
 * <p>It answers a token with Lifeline's admin claim ({@code "lifeline": {"admin": true}}, signed with the subscriber
 * key) in the {@code Authorization} header, the {@code authorization} query parameter (what an EventSource can
 * send) or the cookie; in development mode, anyone who reaches the hub. 401 without a token, 403 without the
 * claim. A viewer's stream ends when its token expires, as a subscriber's does. A hub that is stopping, or that
 * has {@link LiveFeed#MAX_VIEWERS} viewers, answers "later" ({@link Responses#later}).</p>
 */
final class LiveServlet extends HttpServlet {

    static final String PATH = "/.lifeline/live";
    private static final long serialVersionUID = 1L;

    private final transient Hub hub;
    private final transient LiveFeed feed;
    private final transient Authorizer authorizer;
    private final transient RequestTokens tokens;
    private final transient Watches watches;
    private final transient ClientAddresses clients;
    private final boolean open;

    /** @param open development mode: no token needed */
    LiveServlet(Hub hub, LiveFeed feed, Authorizer authorizer, RequestTokens tokens, Watches watches,
                ClientAddresses clients, boolean open) {
        this.hub = hub;
        this.feed = feed;
        this.authorizer = authorizer;
        this.tokens = tokens;
        this.watches = watches;
        this.clients = clients;
        this.open = open;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        handle(request, response, false);
    }

    /** The status and headers a {@code GET} would get, and no stream (RFC 9110, section 9.3.2). */
    @Override
    protected void doHead(HttpServletRequest request, HttpServletResponse response) throws IOException {
        handle(request, response, true);
    }

    private void handle(HttpServletRequest request, HttpServletResponse response, boolean head) throws IOException {
        Optional<Claims> claims;
        try {
            claims = authorizer.admin(tokens.find(request), open);
        } catch (ProtocolException refusal) {
            Responses.refuse(response, refusal);
            return;
        }
        String full = hub.isStopping() ? "the hub is stopping" : feed.admitViewer();
        if (full != null) {
            long retryMillis = hub.reconnectMillis();
            Responses.later(request, response, Responses.unavailable(full, retryMillis), "live", retryMillis);
            return;
        }
        if (head) {
            feed.releaseViewer();
            Responses.headOfEventStream(request, response);
            return;
        }
        OpenedStream opened = OpenedStream.open(request, response, watches, stream -> new Subscriber(
                RandomIds.urn(), List.<Matcher>of(), claims.orElse(null),
                request.getRemoteAddr() + ":" + request.getRemotePort(), clients.keyOf(request), stream,
                feed.viewerHost()), feed::releaseViewer);
        feed.addViewer(opened.subscriber());
        opened.run();
    }
}
