package io.lifeline.http;

import io.lifeline.auth.Authorizer;
import io.lifeline.auth.Claims;
import io.lifeline.hub.Hub;
import io.lifeline.protocol.FormBody;
import io.lifeline.protocol.ProtocolException;
import io.lifeline.protocol.Update;
import io.lifeline.protocol.UpdateForm;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * {@code POST /.well-known/mercure}: a publisher's update, answered with the update's id.
 *
 * <p>Checks run cheapest first and before the body is read: the token (401), the content type (415), the declared
 * length (413). The body is read by Lifeline, never by the container's form parser, and a body that turns out longer
 * than allowed is refused as it arrives.</p>
 */
final class PublishHandler {

    static final String FORM = "application/x-www-form-urlencoded";

    private final Hub hub;
    private final Authorizer authorizer;
    private final RequestTokens tokens;
    private final long maxBytes;

    PublishHandler(Hub hub, Authorizer authorizer, RequestTokens tokens, long maxBytes) {
        this.hub = hub;
        this.authorizer = authorizer;
        this.tokens = tokens;
        this.maxBytes = maxBytes;
    }

    void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Update update;
        try {
            if (hub.isStopping()) {
                throw Responses.stopping(hub.reconnectMillis());
            }
            Claims publisher = authorizer.publisher(tokens.find(request));
            checkContentType(request.getContentType());
            if (request.getContentLengthLong() > maxBytes) {
                throw tooLarge();
            }
            update = UpdateForm.read(FormBody.parse(readBody(request)));
            authorizer.checkPublish(publisher, update.topics());
            publish(update);
        } catch (ProtocolException refusal) {
            Responses.refuse(response, refusal);
            return;
        }
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("text/plain;charset=utf-8");
        response.getOutputStream().write(update.id().getBytes(StandardCharsets.UTF_8));
    }

    private void publish(Update update) throws ProtocolException {
        try {
            hub.publish(update);
        } catch (IllegalStateException stopping) {
            throw Responses.stopping(hub.reconnectMillis());
        }
    }

    private static void checkContentType(String contentType) throws ProtocolException {
        if (contentType == null) {
            throw new ProtocolException(415, "an update is sent as " + FORM);
        }
        String[] parts = contentType.split(";");
        if (!parts[0].trim().equalsIgnoreCase(FORM)) {
            throw new ProtocolException(415, "an update is sent as " + FORM + ", not " + parts[0].trim());
        }
        for (int i = 1; i < parts.length; i++) {
            String param = parts[i].trim().toLowerCase(Locale.ROOT);
            if (param.startsWith("charset=") && !param.equals("charset=utf-8") && !param.equals("charset=\"utf-8\"")) {
                throw new ProtocolException(415, "an update's form body is UTF-8; " + param + " is not supported");
            }
        }
    }

    private byte[] readBody(HttpServletRequest request) throws IOException, ProtocolException {
        try (InputStream in = request.getInputStream()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (body.length > maxBytes) {
                throw tooLarge();
            }
            return body;
        }
    }

    private ProtocolException tooLarge() {
        return new ProtocolException(413, "an update's body may be at most " + maxBytes + " bytes");
    }
}
