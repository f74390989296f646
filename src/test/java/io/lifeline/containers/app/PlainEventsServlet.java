package io.lifeline.containers.app;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An application's own SSE servlet, as its authors write one with nothing of Lifeline's but the filter in front of
 * it ({@code web.xml}): at {@code /events} an async stream kept in a set until its {@code AsyncListener} hears of its
 * end; at {@code /state} what it saw, as {@code open=<streams> ended=<how each ended>}.
 */
public class PlainEventsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final Set<AsyncContext> open = ConcurrentHashMap.newKeySet();
    private final List<String> ended = new CopyOnWriteArrayList<>();

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (request.getServletPath().equals("/state")) {
            response.setContentType("text/plain");
            response.getWriter().print("open=" + open.size() + " ended=" + String.join(",", ended));
            return;
        }
        AsyncContext async = request.startAsync();
        async.setTimeout(0);
        async.addListener(new AsyncListener() {
            @Override
            public void onComplete(AsyncEvent event) {
                if (open.remove(async)) {
                    ended.add("complete");
                }
            }

            @Override
            public void onTimeout(AsyncEvent event) {
            }

            @Override
            public void onError(AsyncEvent event) {
                open.remove(async);
                ended.add(String.valueOf(event.getThrowable().getMessage()));
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
            }
        });
        open.add(async);
        response.setContentType("text/event-stream");
        response.getOutputStream().write("event: hello\ndata: welcome\n\n".getBytes(StandardCharsets.US_ASCII));
        response.flushBuffer();
    }
}
