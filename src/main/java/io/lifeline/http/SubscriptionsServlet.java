package io.lifeline.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lifeline.auth.Authorizer;
import io.lifeline.auth.Claims;
import io.lifeline.hub.Hub;
import io.lifeline.hub.HubUnavailableException;
import io.lifeline.hub.Listing;
import io.lifeline.hub.Subscriptions;
import io.lifeline.protocol.HubNamespace;
import io.lifeline.protocol.PercentDecoding;
import io.lifeline.protocol.ProtocolException;
import io.lifeline.protocol.draft07.ActiveSubscriptions;
import io.lifeline.protocol.draft08.MatchParameters;
import io.lifeline.protocol.draft08.SubscriptionEvents;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The active subscriptions API in both dialects, the token choosing: a draft-07 token gets draft-07's
 * {@code /.well-known/mercure/subscriptions}, {@code .../subscriptions/{topic}} and
 * {@code .../subscriptions/{topic}/{subscriber}} as JSON-LD; a Mercure 1.0 access token gets 1.0's
 * {@code .../subscriptions}, {@code .../subscriptions/{match_type}/{match}} and
 * {@code .../subscriptions/{match_type}/{match}/{subscriber}} as plain JSON, the reconciliation cursor in a
 * {@code Link} header (Mercure 1.0, section "Subscription API"). The two-segment URL means a different thing in each
 * dialect; the token says which, so neither dialect's client is ever answered in the other's shape.
 *
 * <p>Either way, access needs a subscribe grant matching the requested path, without its query, as a topic.</p>
 *
 * <p>Topics are usually URLs, so the {@code {topic}} segment carries its slashes as {@code %2F}. The segments are
 * therefore cut from the raw request URI and each decoded here, once ({@link PercentDecoding#pathSegment}); the container's decoded
 * path would have merged them. Any topic can be asked about this way, whatever escapes it needs ({@code %25},
 * {@code %5C}, {@code +}), but for {@code .}, {@code ..} and topics holding NUL, which no container lets through a
 * path.
 * A subscriber that has ended is gone from every answer from the moment its end was noticed.</p>
 */
final class SubscriptionsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    static final String PATH = ActiveSubscriptions.PATH;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final transient Hub hub;
    private final transient Authorizer authorizer;
    private final transient RequestTokens tokens;

    SubscriptionsServlet(Hub hub, Authorizer authorizer, RequestTokens tokens) {
        this.hub = hub;
        this.authorizer = authorizer;
        this.tokens = tokens;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        try {
            Claims claims = authorizer.subscriptionsReader(tokens.find(request), path);
            String rest = path.length() > PATH.length() ? path.substring(PATH.length() + 1) : "";
            String[] segments = rest.isEmpty() ? new String[0] : rest.split("/", -1);
            Subscriptions subscriptions;
            try {
                subscriptions = hub.subscriptions();
            } catch (HubUnavailableException e) {
                hub.metrics().refused("hub-unavailable");
                throw Responses.unavailable(e.getMessage(), hub.reconnectMillis());
            }
            if (claims.form() == Claims.Form.AUTHORIZATION_DETAILS) {
                answerMercure10(request, response, path, segments, subscriptions);
                return;
            }
            ObjectNode body;
            if (segments.length == 0) {
                body = collection(path, null, subscriptions);
            } else if (segments.length == 1) {
                body = collection(path, PercentDecoding.pathSegment(segments[0]), subscriptions);
            } else if (segments.length == 2) {
                body = single(PercentDecoding.pathSegment(segments[0]), PercentDecoding.pathSegment(segments[1]),
                        subscriptions);
            } else {
                throw ProtocolException.badRequest("a subscriptions URL has at most two segments after "
                        + PATH + ": {topic} and {subscriber}, percent-encoded, a topic's slashes as %2F. If they "
                        + "were, something before Lifeline decoded them (on Tomcat, set encodedSolidusHandling="
                        + "\"passthrough\" on the Connector)");
            }
            response.setStatus(HttpServletResponse.SC_OK);
            response.setContentType("application/ld+json");
            response.setHeader("Cache-Control", "must-revalidate");
            JSON.writerWithDefaultPrettyPrinter().writeValue(response.getOutputStream(), body);
        } catch (ProtocolException refusal) {
            tokens.refuse(response, refusal);
        }
    }

    /** The 1.0 shapes: {@code []}, {@code [match_type, match]}, {@code [match_type, match, subscriber]}. */
    private void answerMercure10(HttpServletRequest request, HttpServletResponse response, String path,
                                 String[] segments, Subscriptions subscriptions)
            throws IOException, ProtocolException {
        ObjectNode body;
        if (segments.length == 0) {
            body = SubscriptionEvents.collection(path, mercure10Documents(null, null, subscriptions));
        } else if (segments.length == 2 || segments.length == 3) {
            String matchType = PercentDecoding.pathSegment(segments[0]);
            String match = PercentDecoding.pathSegment(segments[1]);
            if (!matchType.equals(MatchParameters.EXACT_TYPE)) {
                throw new ProtocolException(404, "no subscription has the matcher type \"" + matchType + "\" on "
                        + "this hub: it supports " + MatchParameters.EXACT_TYPE);
            }
            if (segments.length == 2) {
                body = SubscriptionEvents.collection(path, mercure10Documents(matchType, match, subscriptions));
            } else {
                String subscriber = PercentDecoding.pathSegment(segments[2]);
                body = subscriptions.of(subscriber).stream()
                        .flatMap(l -> l.subscriptions().stream()
                                .filter(s -> s.value().equals(match) && matchType.equals(s.mercure10Type()))
                                .map(s -> SubscriptionEvents.document(matchType, match, l.subscriber(), s.payload(),
                                        true)))
                        .findFirst()
                        .orElseThrow(() -> new ProtocolException(404, "no active subscription of " + subscriber
                                + " with the " + matchType + " matcher " + match));
            }
        } else {
            throw ProtocolException.badRequest("a Mercure 1.0 subscriptions URL has no segment or two or three "
                    + "after " + PATH + ": {match_type}/{match}[/{subscriber}], each percent-encoded (a matcher's "
                    + "slashes as %2F)");
        }
        String hubUrl = RequestTokens.ownOrigin(request) + request.getContextPath() + HubNamespace.HUB_PATH;
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("application/json");
        response.setHeader("Link", SubscriptionEvents.link(hubUrl, subscriptions.lastEventId()));
        response.setHeader("Cache-Control", "must-revalidate");
        JSON.writerWithDefaultPrettyPrinter().writeValue(response.getOutputStream(), body);
    }

    /** The 1.0 documents of every subscription shown to 1.0 clients, or of those with this matcher. */
    private static List<ObjectNode> mercure10Documents(String matchType, String match, Subscriptions subscriptions) {
        List<ObjectNode> documents = new ArrayList<>();
        for (Listing l : subscriptions.listings()) {
            for (Listing.Subscription s : l.subscriptions()) {
                String type = s.mercure10Type();
                if (type != null && (match == null || type.equals(matchType) && s.value().equals(match))) {
                    documents.add(SubscriptionEvents.document(type, s.value(), l.subscriber(), s.payload(), true));
                }
            }
        }
        return documents;
    }

    private static ObjectNode collection(String path, String topic, Subscriptions subscriptions) {
        ObjectNode body = JSON.createObjectNode();
        body.put("@context", ActiveSubscriptions.CONTEXT);
        body.put("id", path);
        body.put("type", "Subscriptions");
        body.put("lastEventID", subscriptions.lastEventId());
        ArrayNode list = body.putArray("subscriptions");
        for (Listing l : subscriptions.listings()) {
            for (Listing.Subscription s : l.subscriptions()) {
                if (topic == null || topic.equals(s.value())) {
                    list.add(ActiveSubscriptions.document(s.value(), l.subscriber(), s.payload(), true));
                }
            }
        }
        return body;
    }

    private static ObjectNode single(String topic, String subscriberId, Subscriptions subscriptions)
            throws ProtocolException {
        Listing.Subscription s = subscriptions.of(subscriberId).flatMap(l -> l.subscription(topic))
                .orElseThrow(() -> new ProtocolException(404, "no active subscription of " + subscriberId
                        + " to " + topic));
        ObjectNode body = JSON.createObjectNode();
        body.put("@context", ActiveSubscriptions.CONTEXT);
        body.setAll(ActiveSubscriptions.document(topic, subscriberId, s.payload(), true));
        body.put("lastEventID", subscriptions.lastEventId());
        return body;
    }
}
