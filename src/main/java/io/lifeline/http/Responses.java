package io.lifeline.http;

import io.lifeline.protocol.EventStream;
import io.lifeline.protocol.ProtocolException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Small helpers every Lifeline servlet shares. */
final class Responses {

    private Responses() {
    }

    /** Answers a refused request: its status and its reason as plain text. */
    static void refuse(HttpServletResponse response, ProtocolException refusal) throws IOException {
        refuse(response, refusal, null);
    }

    /**
     * The same, where a Bearer challenge names the hub's protected resource metadata ({@code resource_metadata},
     * RFC 9728, section 5.1; Mercure 1.0, section "Error Responses").
     *
     * @param resourceMetadata the metadata's URL, or null for none
     */
    static void refuse(HttpServletResponse response, ProtocolException refusal, String resourceMetadata)
            throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer(); // headers such as CORS stay: a page must be able to read why it was refused
        response.setStatus(refusal.status());
        String metadata = resourceMetadata == null ? "" : "resource_metadata=\"" + resourceMetadata + "\"";
        if (refusal.bearerError() != null) {
            response.setHeader("WWW-Authenticate", "Bearer error=\"" + refusal.bearerError() + "\""
                    + (metadata.isEmpty() ? "" : ", " + metadata));
        } else if (refusal.status() == 401) {
            // no token: no error code (RFC 6750, section 3.1)
            response.setHeader("WWW-Authenticate", "Bearer" + (metadata.isEmpty() ? "" : " " + metadata));
        }
        if (refusal.retryAfterSeconds() >= 0) {
            response.setHeader("Retry-After", Long.toString(refusal.retryAfterSeconds()));
        }
        response.setContentType("text/plain;charset=utf-8");
        response.getWriter().println(refusal.reason());
    }

    /** 503 while the hub stops, to be tried again after {@code retryMillis}. */
    static ProtocolException stopping(long retryMillis) {
        return unavailable("the hub is stopping", retryMillis);
    }

    /** 503, to be tried again after {@code retryMillis} (rounded up to whole seconds for {@code Retry-After}). */
    static ProtocolException unavailable(String reason, long retryMillis) {
        return ProtocolException.unavailable(reason, (retryMillis + 999) / 1000);
    }

    /**
     * Answers a subscriber the hub cannot take now, meant as "later" (the hub is stopping, say): nothing about the
     * request itself is wrong.
     *
     * <p>EventSource treats every status but 200, and every content type but {@code text/event-stream}, as final: it
     * fails the connection and never reconnects, even once the hub is back (WHATWG HTML, server-sent events, "fail
     * the connection"). So a client that accepts {@code text/event-stream} gets a 200 stream that carries a cursor
     * (where to resume: the client's own last event id, else the hub's position now), a {@code retry:} hint and
     * then its end; EventSource comes back by itself, missing nothing. Any other client gets the 503, with
     * {@code Retry-After}.</p>
     *
     * @param cursor never empty, no CR, LF or NUL
     */
    static void later(HttpServletRequest request, HttpServletResponse response, ProtocolException refusal,
                      String cursor, long retryMillis) throws IOException {
        String accept = request.getHeader("Accept");
        if (accept == null || !accept.contains("text/event-stream")) {
            refuse(response, refusal);
            return;
        }
        startEventStream(request, response);
        response.getOutputStream().write((": " + refusal.reason() + "; come back in " + retryMillis + " ms\n")
                .getBytes(StandardCharsets.UTF_8));
        response.getOutputStream().write(EventStream.cursor(cursor, retryMillis));
    }

    /**
     * The output buffer of an event stream, in bytes. A stream lives for minutes and is flushed after every batch of
     * frames, so the buffer only gathers the frames of one batch; Jetty's default, 32 KiB, would be held for the
     * stream's whole life, most of a subscriber's memory. Jetty's buffer pool hands out no smaller buffer than 4 KiB.
     * Tomcat ignores a size below its own 8 KiB: it only ever grows a response's buffer.
     */
    static final int STREAM_BUFFER_BYTES = 4096;

    /**
     * Answers a {@code HEAD} as its event stream's {@code GET} would begin, and sends the head at once: a response
     * that ends unsent would get a {@code Content-Length: 0} the stream never has.
     */
    static void headOfEventStream(HttpServletRequest request, HttpServletResponse response) throws IOException {
        startEventStream(request, response);
        response.flushBuffer();
    }

    /**
     * The head of every event stream: {@code 200 text/event-stream}, never cached, never buffered by nginx, and on
     * HTTP/1.x {@code Connection: close}, so that each stream is its connection's only request.
     */
    static void startEventStream(HttpServletRequest request, HttpServletResponse response) {
        response.setBufferSize(STREAM_BUFFER_BYTES);
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("text/event-stream");
        response.setHeader("Cache-Control", "private, no-cache, no-store");
        response.setHeader("X-Accel-Buffering", "no");
        if (request.getProtocol().startsWith("HTTP/1.")) {
            response.setHeader("Connection", "close");
        }
    }
}
