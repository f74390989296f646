package io.lifeline.http;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The web app's error page, for every error the container answers on Lifeline's behalf ({@code sendError}: a path
 * that serves nothing, say): one line of plain text with the status and a reason, instead of the container's HTML
 * page. Registered as the default error page ({@code <error-page>} without a code in {@code web.xml}; the embedded
 * program sets the same). Errors a container answers before the web app (a malformed request line, a refused URI)
 * use the container's own page, which docs/api.md ("Refusals") says how to make plain.
 */
final class ErrorServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** Where the error page is mapped. */
    static final String PATH = "/.lifeline/error";

    private static final String PATHS = "Lifeline serves /.well-known/mercure, /.well-known/mercure/subscriptions, "
            + "/metrics and its page at /";

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer c ? c : HttpServletResponse.SC_NOT_FOUND;
        String reason = switch (status) {
            case HttpServletResponse.SC_NOT_FOUND -> "nothing here: " + PATHS;
            case HttpServletResponse.SC_METHOD_NOT_ALLOWED -> request.getMethod() + " is not supported here";
            default -> status >= 500 ? "the server failed to answer this request"
                    : "the request was refused (" + status + ")";
        };
        response.setStatus(status);
        response.setContentType("text/plain;charset=utf-8");
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Content-Type-Options", "nosniff");
        if (!"HEAD".equals(request.getMethod())) {
            response.getWriter().println(status + " " + reason);
        }
    }
}
