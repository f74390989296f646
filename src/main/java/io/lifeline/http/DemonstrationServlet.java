package io.lifeline.http;

import io.lifeline.auth.Authorizer;
import io.lifeline.demo.F5Demonstration;
import io.lifeline.protocol.ProtocolException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code POST /.lifeline/demonstration/f5}: starts the live page's F5 demonstration ({@link F5Demonstration}) and
 * answers {@code 202} with its number at once; its steps reach the live view as {@code demonstration} events.
 *
 * <p>It answers only a token with Lifeline's admin claim in the {@code Authorization} header: never the cookie or
 * the query parameter, so that no page of another site can make a browser start one. In development mode it needs
 * no token, but a browser's request must come from the hub's own origin ({@code Origin}). 403 while
 * {@code LIFELINE_DEMO=false}, 409 while another demonstration runs, 429 past its rate limit.</p>
 */
final class DemonstrationServlet extends HttpServlet {

    static final String PATH = "/.lifeline/demonstration/f5";
    private static final long serialVersionUID = 1L;

    private final transient F5Demonstration demonstration;
    private final transient Authorizer authorizer;
    private final boolean open;

    /**
     * @param demonstration null when {@code LIFELINE_DEMO=false}
     * @param open          development mode: no token needed
     */
    DemonstrationServlet(F5Demonstration demonstration, Authorizer authorizer, boolean open) {
        this.demonstration = demonstration;
        this.authorizer = authorizer;
        this.open = open;
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        long number;
        try {
            if (demonstration == null) {
                throw ProtocolException.forbidden("the F5 demonstration is turned off (LIFELINE_DEMO=false)");
            }
            Optional<String> token = RequestTokens.header(request);
            if (token.isEmpty() && !open) {
                throw ProtocolException.unauthorized("the F5 demonstration takes an admin token in the Authorization "
                        + "header only, never in the query string or a cookie (java -jar lifeline-server.jar token "
                        + "--admin)");
            }
            authorizer.admin(token, open);
            if (token.isEmpty()) {
                checkOwnOrigin(request);
            }
            number = demonstration.start(new InetSocketAddress(request.getLocalAddr(), request.getLocalPort()),
                    request.isSecure(), request.getContextPath() + "/.well-known/mercure",
                    token.map(t -> "Bearer " + t).orElse(null));
        } catch (ProtocolException refusal) {
            Responses.refuse(response, refusal);
            return;
        } catch (F5Demonstration.Refused refusal) {
            response.setHeader("Retry-After", Long.toString(refusal.retryAfterSeconds()));
            Responses.refuse(response, new ProtocolException(refusal.status(), refusal.getMessage()));
            return;
        }
        response.setStatus(HttpServletResponse.SC_ACCEPTED);
        response.setContentType("application/json");
        response.getWriter().print("{\"demonstration\":" + number + ",\"seconds\":"
                + F5Demonstration.LENGTH.toSeconds() + "}");
    }

    /** Without a token, a browser's request must come from one of the hub's own pages. */
    private static void checkOwnOrigin(HttpServletRequest request) throws ProtocolException {
        String origin = request.getHeader("Origin");
        if (origin != null && !origin.toLowerCase(Locale.ROOT).equals(RequestTokens.ownOrigin(request))) {
            throw ProtocolException.forbidden("the F5 demonstration starts from the hub's own page only, not from "
                    + origin);
        }
    }
}
