package io.lifeline.http;

import io.lifeline.metrics.HubMetrics;
import io.lifeline.protocol.ProtocolException;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads an {@code application/x-www-form-urlencoded} request body without blocking a thread: the request waits
 * asynchronously while the bytes arrive through a {@code ReadListener}, and the container's form parser never sees
 * them. A body longer than allowed is refused {@code 413} as it arrives; one that has not arrived whole within the
 * body timeout ({@code LIFELINE_BODY_TIMEOUT}) is refused {@code 408}. Both close the connection (on HTTP/1.x), since
 * the rest of the body will not be read: a client trickling its body holds neither a thread nor a connection for
 * long.
 */
final class FormBodyReader {

    static final String FORM = "application/x-www-form-urlencoded";

    private static final Logger LOG = LoggerFactory.getLogger(FormBodyReader.class);

    /** What to do with a whole body; it ends the request's asynchronous state itself (complete or dispatch). */
    interface Whole {
        /** @throws ProtocolException the refusal to answer instead, before anything was written */
        void accept(AsyncContext async, byte[] body) throws ProtocolException, IOException;
    }

    private final RequestTokens tokens;
    private final HubMetrics metrics;
    private final String what;
    private final long maxBytes;
    private final Duration timeout;

    /** @param what the body's name in refusals, such as "an update's body" */
    FormBodyReader(RequestTokens tokens, HubMetrics metrics, String what, long maxBytes, Duration timeout) {
        this.tokens = tokens;
        this.metrics = metrics;
        this.what = what;
        this.maxBytes = maxBytes;
        this.timeout = timeout;
    }

    /**
     * Checks what can be checked before the body is read: its content type ({@code 415}, naming
     * {@link #FORM} in {@code Accept-Query} where {@code acceptQuery}, RFC 10008 section 3) and its declared length
     * ({@code 413}).
     */
    void checkHeaders(HttpServletRequest request, HttpServletResponse response, boolean acceptQuery)
            throws ProtocolException {
        try {
            checkContentType(request.getContentType());
        } catch (ProtocolException refusal) {
            if (acceptQuery) {
                response.setHeader("Accept-Query", FORM);
            }
            throw refusal;
        }
        if (request.getContentLengthLong() > maxBytes) {
            throw tooLarge();
        }
    }

    /** Starts reading the body; {@code whole} gets it once it has all arrived, unless it was refused first. */
    void read(HttpServletRequest request, Whole whole) throws IOException {
        AsyncContext async = request.startAsync();
        async.setTimeout(timeout.toMillis());
        Body body = new Body(async, request.getInputStream(), whole);
        async.addListener(body);
        request.getInputStream().setReadListener(body);
    }

    /** One body as it arrives, then the answer: given once, by whichever comes first. */
    private final class Body implements ReadListener, AsyncListener {
        private final AsyncContext async;
        private final ServletInputStream in;
        private final Whole whole;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final byte[] buffer = new byte[8192];
        private final AtomicBoolean answered = new AtomicBoolean();

        Body(AsyncContext async, ServletInputStream in, Whole whole) {
            this.async = async;
            this.in = in;
            this.whole = whole;
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
            try {
                whole.accept(async, bytes.toByteArray());
            } catch (ProtocolException refusal) {
                refuse(refusal, false);
                async.complete();
            } catch (IOException | RuntimeException e) {
                LOG.debug("a request with a body could not be answered: {}", e.toString());
                async.complete();
            }
        }

        @Override
        public void onError(Throwable failure) {
            answer(ProtocolException.badRequest(what + " could not be read: " + failure.getMessage()), true);
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            metrics.refused("body-timeout");
            answer(new ProtocolException(HttpServletResponse.SC_REQUEST_TIMEOUT, what + " did not arrive within "
                    + timeout.toMillis() + " ms (LIFELINE_BODY_TIMEOUT)"), true);
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
                refuse(refusal, close);
            } finally {
                async.complete();
            }
        }

        private void refuse(ProtocolException refusal, boolean close) {
            HttpServletResponse response = (HttpServletResponse) async.getResponse();
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

    private void checkContentType(String contentType) throws ProtocolException {
        if (contentType == null) {
            throw new ProtocolException(415, what + " is sent as " + FORM);
        }
        String[] parts = contentType.split(";");
        if (!parts[0].trim().equalsIgnoreCase(FORM)) {
            throw new ProtocolException(415, what + " is sent as " + FORM + ", not " + parts[0].trim());
        }
        for (int i = 1; i < parts.length; i++) {
            String param = parts[i].trim().toLowerCase(Locale.ROOT);
            if (param.startsWith("charset=") && !param.equals("charset=utf-8") && !param.equals("charset=\"utf-8\"")) {
                throw new ProtocolException(415, what + " is a UTF-8 form; " + param + " is not supported");
            }
        }
    }

    private ProtocolException tooLarge() {
        return new ProtocolException(413, what + " may be at most " + maxBytes + " bytes");
    }
}
