package io.lifeline.http;

import io.lifeline.protocol.ProtocolException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Enumeration;
import java.util.Optional;

/** Small helpers every Lifeline servlet shares. */
final class Responses {

    private static final String BEARER = "Bearer ";

    private Responses() {
    }

    /** Answers a refused request: its status and its reason as plain text. */
    static void refuse(HttpServletResponse response, ProtocolException refusal) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.reset();
        response.setStatus(refusal.status());
        if (refusal.status() == 401) {
            response.setHeader("WWW-Authenticate", "Bearer");
        }
        response.setContentType("text/plain;charset=utf-8");
        response.getWriter().println(refusal.reason());
    }

    /** Answers 503 while the hub stops. */
    static ProtocolException stopping() {
        return new ProtocolException(503, "the hub is stopping");
    }

    /**
     * The token of an {@code Authorization: Bearer} header, or empty without that header. A header that is there but
     * malformed is refused rather than ignored.
     */
    static Optional<String> bearerToken(HttpServletRequest request) throws ProtocolException {
        Enumeration<String> headers = request.getHeaders("Authorization");
        if (headers == null || !headers.hasMoreElements()) {
            return Optional.empty();
        }
        String value = headers.nextElement();
        if (headers.hasMoreElements()) {
            throw ProtocolException.unauthorized("more than one Authorization header");
        }
        if (!value.regionMatches(true, 0, BEARER, 0, BEARER.length()) || value.length() <= BEARER.length()) {
            throw ProtocolException.unauthorized("the Authorization header must be \"Bearer <JWT>\"");
        }
        return Optional.of(value.substring(BEARER.length()).trim());
    }
}
