package io.lifeline.http;

import io.lifeline.protocol.ProtocolException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Small helpers every Lifeline servlet shares. */
final class Responses {

    private Responses() {
    }

    /** Answers a refused request: its status and its reason as plain text. */
    static void refuse(HttpServletResponse response, ProtocolException refusal) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer(); // headers such as CORS stay: a page must be able to read why it was refused
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
}
