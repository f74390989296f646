package io.lifeline.http;

import io.lifeline.auth.Authorizer;
import io.lifeline.auth.Claims;
import io.lifeline.hub.Hub;
import io.lifeline.protocol.FormBody;
import io.lifeline.protocol.ProtocolException;
import io.lifeline.protocol.Update;
import io.lifeline.protocol.UpdateForm;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /.well-known/mercure}: a publisher's update, answered with the update's id.
 *
 * <p>Checks run cheapest first and before the body is read: the token (401), the content type (415), the declared
 * length (413). The body is read by Lifeline, never by the container's form parser, without blocking a thread: it
 * arrives through a {@code ReadListener} while the request waits asynchronously, and a body that turns out longer
 * than allowed is refused as it arrives. A body that has not arrived whole within the body timeout
 * ({@code LIFELINE_BODY_TIMEOUT}) is refused {@code 408} and its connection closed, so that a client trickling its
 * body holds neither a thread nor a connection for long.</p>
 */
final class PublishHandler {

    static final String FORM = "application/x-www-form-urlencoded";

    private static final Logger LOG = LoggerFactory.getLogger(PublishHandler.class);

    private final Hub hub;
    private final Authorizer authorizer;
    private final RequestTokens tokens;
    private final long maxBytes;
    private final Duration bodyTimeout;

    PublishHandler(Hub hub, Authorizer authorizer, RequestTokens tokens, long maxBytes, Duration bodyTimeout) {
        this.hub = hub;
        this.authorizer = authorizer;
        this.tokens = tokens;
        this.maxBytes = maxBytes;
        this.bodyTimeout = bodyTimeout;
    }

    void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Claims publisher;
        try {
            if (hub.isStopping()) {
                hub.metrics().refused("stopping");
                throw Responses.stopping(hub.reconnectMillis());
            }
            publisher = authorizer.publisher(tokens.find(request));
            checkContentType(request.getContentType());
            if (request.getContentLengthLong() > maxBytes) {
                throw tooLarge();
            }
        } catch (ProtocolException refusal) {
            tokens.refuse(response, refusal);
            return;
        }
        AsyncContext async = request.startAsync();
        async.setTimeout(bodyTimeout.toMillis());
        Body body = new Body(async, request.getInputStream(), publisher);
        async.addListener(body);
        request.getInputStream().setReadListener(body);
    }

    /** One publish's body as it arrives, then the answer: given once, by whichever comes first. */
    private final class Body implements ReadListener, AsyncListener {
        private final AsyncContext async;
        private final ServletInputStream in;
        private final Claims publisher;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final byte[] buffer = new byte[8192];
        private final AtomicBoolean answered = new AtomicBoolean();

        Body(AsyncContext async, ServletInputStream in, Claims publisher) {
            this.async = async;
            this.in = in;
            this.publisher = publisher;
        }

        @Override
        public void onDataAvailable() throws IOException {
            while (in.isReady() && !in.isFinished()) {
                int n = in.read(buffer);
                if (n < 0) {
                    return;
                }
                bytes.write(buffer, 0, n);
                if (bytes.size() > maxBytes) {
                    answer(tooLarge(), true);
                    return;
                }
            }
        }

        @Override
        public void onAllDataRead() {
            if (!answered.compareAndSet(false, true)) {
                return;
            }
            HttpServletResponse response = (HttpServletResponse) async.getResponse();
            try {
                Update update = UpdateForm.read(FormBody.parse(bytes.toByteArray()),
                        publisher.form() == Claims.Form.AUTHORIZATION_DETAILS ? UpdateForm.Rules.MERCURE_1_0
                                : UpdateForm.Rules.DRAFT_07);
                authorizer.checkPublish(publisher, update.topics());
                publish(update);
                response.setStatus(HttpServletResponse.SC_OK);
                response.setContentType("text/plain;charset=utf-8");
                response.getOutputStream().write(update.id().getBytes(StandardCharsets.UTF_8));
            } catch (ProtocolException refusal) {
                refuse(response, refusal, false);
            } catch (IOException | RuntimeException e) {
                LOG.debug("a publish could not be answered: {}", e.toString());
            } finally {
                async.complete();
            }
        }

        @Override
        public void onError(Throwable failure) {
            answer(ProtocolException.badRequest("the update's body could not be read: " + failure.getMessage()), true);
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            hub.metrics().refused("body-timeout");
            answer(new ProtocolException(HttpServletResponse.SC_REQUEST_TIMEOUT, "the update's body did not arrive "
                    + "within " + bodyTimeout.toMillis() + " ms (LIFELINE_BODY_TIMEOUT)"), true);
        }

        @Override
        public void onComplete(AsyncEvent event) {
        }

        @Override
        public void onError(AsyncEvent event) {
            onError(event.getThrowable());
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }

        /** Answers a refusal, once; {@code close}: the rest of the body will not be read, so the connection goes. */
        private void answer(ProtocolException refusal, boolean close) {
            if (!answered.compareAndSet(false, true)) {
                return;
            }
            try {
                refuse((HttpServletResponse) async.getResponse(), refusal, close);
            } finally {
                async.complete();
            }
        }

        private void refuse(HttpServletResponse response, ProtocolException refusal, boolean close) {
            try {
                if (close && !response.isCommitted() && async.getRequest().getProtocol().startsWith("HTTP/1.")) {
                    response.setHeader("Connection", "close"); // HTTP/2 resets the stream by itself
                }
                tokens.refuse(response, refusal);
            } catch (IOException | RuntimeException e) {
                LOG.debug("a refusal could not be written: {}", e.toString());
            }
        }
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

    private ProtocolException tooLarge() {
        return new ProtocolException(413, "an update's body may be at most " + maxBytes + " bytes");
    }
}
