package io.lifeline.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lifeline.auth.Authorizer;
import io.lifeline.hub.Hub;
import io.lifeline.hub.Subscriptions;
import io.lifeline.protocol.PercentDecoding;
import io.lifeline.protocol.ProtocolException;
import io.lifeline.subscriber.Subscriber;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The active subscriptions API: {@code /.well-known/mercure/subscriptions},
 * {@code .../subscriptions/{topic}} and {@code .../subscriptions/{topic}/{subscriber}}, as JSON-LD.
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

    static final String PATH = Subscriptions.PATH;
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
            authorizer.subscriptionsReader(tokens.find(request), path);
            String rest = path.length() > PATH.length() ? path.substring(PATH.length() + 1) : "";
            String[] segments = rest.isEmpty() ? new String[0] : rest.split("/", -1);
            String lastEventId = hub.lastEventId();
            ObjectNode body;
            if (segments.length == 0) {
                body = collection(path, null, lastEventId);
            } else if (segments.length == 1) {
                body = collection(path, PercentDecoding.pathSegment(segments[0]), lastEventId);
            } else if (segments.length == 2) {
                body = single(PercentDecoding.pathSegment(segments[0]), PercentDecoding.pathSegment(segments[1]), lastEventId);
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

    private ObjectNode collection(String path, String topic, String lastEventId) {
        ObjectNode body = JSON.createObjectNode();
        body.put("@context", Subscriptions.CONTEXT);
        body.put("id", path);
        body.put("type", "Subscriptions");
        body.put("lastEventID", lastEventId);
        ArrayNode list = body.putArray("subscriptions");
        for (Subscriber s : hub.subscribers()) {
            for (String selector : s.topics()) {
                if (topic == null || topic.equals(selector)) {
                    list.add(Subscriptions.document(s, selector, hub.payload(s, selector), true));
                }
            }
        }
        return body;
    }

    private ObjectNode single(String topic, String subscriberId, String lastEventId) throws ProtocolException {
        Subscriber s = hub.subscriber(subscriberId)
                .filter(candidate -> candidate.topics().contains(topic))
                .orElseThrow(() -> new ProtocolException(404, "no active subscription of " + subscriberId
                        + " to " + topic));
        ObjectNode body = JSON.createObjectNode();
        body.put("@context", Subscriptions.CONTEXT);
        body.setAll(Subscriptions.document(s, topic, hub.payload(s, topic), true));
        body.put("lastEventID", lastEventId);
        return body;
    }
}
