package io.lifeline.http;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The hub's endpoint, {@code /.well-known/mercure}: subscribe with GET (or QUERY, its parameters in the body), publish
 * with POST; HEAD answers as GET would, without a stream.
 */
final class MercureServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient SubscribeHandler subscribe;
    private final transient PublishHandler publish;

    MercureServlet(SubscribeHandler subscribe, PublishHandler publish) {
        this.subscribe = subscribe;
        this.publish = publish;
    }

    /** Adds {@code QUERY} (a subscription with its parameters in the body), which {@code HttpServlet} lacks. */
    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        if (SubscribeHandler.QUERY.equals(request.getMethod())) {
            subscribe.handleQuery(request, response);
            return;
        }
        super.service(request, response);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        subscribe.handle(request, response);
    }

    /** Answers as {@link #doGet} would, without opening a stream ({@link SubscribeHandler#handleHead}). */
    @Override
    protected void doHead(HttpServletRequest request, HttpServletResponse response) throws IOException {
        subscribe.handleHead(request, response);
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        publish.handle(request, response);
    }
}
