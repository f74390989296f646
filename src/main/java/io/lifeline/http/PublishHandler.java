package io.lifeline.http;

import io.lifeline.auth.Authorizer;
import io.lifeline.auth.Claims;
import io.lifeline.hub.Hub;
import io.lifeline.hub.HubUnavailableException;
import io.lifeline.protocol.FormBody;
import io.lifeline.protocol.ProtocolException;
import io.lifeline.protocol.Update;
import io.lifeline.protocol.UpdateForm;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /.well-known/mercure}: a publisher's update, answered with the update's id.
 *
 * <p>Checks run cheapest first and before the body is read: the token (401), the content type (415), the declared
 * length (413). The body is read by Lifeline, never by the container's form parser, without blocking a thread
 * ({@link FormBodyReader}: 413 as it arrives, 408 past {@code LIFELINE_BODY_TIMEOUT}).</p>
 */
final class PublishHandler {

    private static final Logger LOG = LoggerFactory.getLogger(PublishHandler.class);

    private final Hub hub;
    private final Authorizer authorizer;
    private final RequestTokens tokens;
    private final FormBodyReader bodies;

    PublishHandler(Hub hub, Authorizer authorizer, RequestTokens tokens, long maxBytes, Duration bodyTimeout) {
        this.hub = hub;
        this.authorizer = authorizer;
        this.tokens = tokens;
        this.bodies = new FormBodyReader(tokens, hub.metrics(), "an update's body", maxBytes, bodyTimeout);
    }

    void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Claims publisher;
        try {
            if (hub.isStopping()) {
                hub.metrics().refused("stopping");
                throw Responses.stopping(hub.reconnectMillis());
            }
            publisher = authorizer.publisher(tokens.find(request));
            bodies.checkHeaders(request, response, false);
        } catch (ProtocolException refusal) {
            tokens.refuse(response, refusal);
            return;
        }
        bodies.read(request, (async, body) -> {
            Update update = UpdateForm.read(FormBody.parse(body),
                    publisher.form() == Claims.Form.AUTHORIZATION_DETAILS ? UpdateForm.Rules.MERCURE_1_0
                            : UpdateForm.Rules.DRAFT_07);
            authorizer.checkPublish(publisher, update.topics());
            publish(update);
            HttpServletResponse answer = (HttpServletResponse) async.getResponse();
            try {
                answer.setStatus(HttpServletResponse.SC_OK);
                answer.setContentType("text/plain;charset=utf-8");
                answer.getOutputStream().write(update.id().getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                LOG.debug("a publish could not be answered: {}", e.toString());
            } finally {
                async.complete();
            }
        });
    }

    private void publish(Update update) throws ProtocolException {
        try {
            hub.publish(update);
        } catch (IllegalStateException stopping) {
            throw Responses.stopping(hub.reconnectMillis());
        } catch (HubUnavailableException e) {
            hub.metrics().refused("hub-unavailable");
            throw Responses.unavailable("the update was not published: " + e.getMessage(), hub.reconnectMillis());
        }
    }
}
