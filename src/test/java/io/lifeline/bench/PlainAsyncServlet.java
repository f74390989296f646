package io.lifeline.bench;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Yardsticks for the benchmark, run as their own process. As {@code main} runs it: embedded Jetty and one async
 * servlet that writes the event-stream head and a comment, flushes and completes; no hub, no subscriber, no watch:
 * the least a servlet container does for one connect, first bytes and FIN cycle. {@link #holding} keeps the streams
 * open instead, with heartbeats, to compare with {@link CoreHandlerPrototype}.
 */
public final class PlainAsyncServlet extends HttpServlet {

    private static final byte[] COMMENT = ":\n\n".getBytes(StandardCharsets.US_ASCII);

    /**
     * The floor of a publish: a form read (its {@code topic} and {@code data}), an id made for it and written back,
     * as a hub answers a publisher, and nothing else.
     */
    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String topic = request.getParameter("topic");
        String data = request.getParameter("data");
        if (topic == null || data == null) {
            response.sendError(400);
            return;
        }
        response.setContentType("text/plain");
        response.getWriter().write("urn:uuid:" + java.util.UUID.randomUUID());
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        AsyncContext async = request.startAsync();
        response.setContentType("text/event-stream");
        response.getOutputStream().write(COMMENT);
        response.getOutputStream().flush();
        async.complete();
    }

    /**
     * Event streams held open by an async servlet, with Lifeline's 4 KiB response buffer, a heartbeat comment every
     * 5 s written in rounds of one slot of streams every 100 ms (blocking writes: an idle stream takes them at once).
     * A stream leaves when a heartbeat's write fails: its response is completed, which closes the connection.
     *
     * <p>The write floor: a {@code POST} writes its body's {@code data} as one SSE event to every held stream, from
     * the one thread that answers it, as flat and as fast as a servlet can, before it answers.</p>
     */
    static ServletContextHandler holding(ScheduledExecutorService rounds) {
        List<List<Held>> slots = new ArrayList<>();
        for (int i = 0; i < CoreHandlerPrototype.SLOTS; i++) {
            slots.add(new ArrayList<>());
        }
        int[] next = new int[1];
        rounds.scheduleAtFixedRate(() -> {
            List<Held> due;
            synchronized (slots) {
                due = new ArrayList<>(slots.get(next[0]));
                next[0] = (next[0] + 1) % slots.size();
            }
            for (Held stream : due) {
                try {
                    stream.write(COMMENT);
                } catch (IOException | IllegalStateException e) {
                    synchronized (slots) {
                        slots.forEach(slot -> slot.remove(stream));
                    }
                    stream.leave();
                }
            }
        }, 100, 100, TimeUnit.MILLISECONDS);
        HttpServlet servlet = new HttpServlet() {
            @Override
            protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
                byte[] frame = ("data: " + request.getParameter("data") + "\n\n").getBytes(StandardCharsets.UTF_8);
                List<Held> all = new ArrayList<>();
                synchronized (slots) {
                    slots.forEach(all::addAll);
                }
                for (Held stream : all) {
                    try {
                        stream.write(frame);
                    } catch (IOException | IllegalStateException gone) {
                        // a heartbeat round removes it
                    }
                }
                response.setContentType("text/plain");
                response.getWriter().write("written to " + all.size());
            }

            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                AsyncContext async = request.startAsync();
                async.setTimeout(0);
                response.setBufferSize(4096);
                response.setContentType("text/event-stream");
                ServletOutputStream out = response.getOutputStream();
                out.write(COMMENT);
                out.flush();
                synchronized (slots) {
                    slots.get((next[0] + slots.size() - 1) % slots.size()).add(new Held(async, out));
                }
            }
        };
        ServletHolder holder = new ServletHolder(servlet);
        holder.setAsyncSupported(true);
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(holder, "/*");
        return context;
    }

    /** A held stream: its response, to complete when it leaves, and its output. */
    private record Held(AsyncContext async, ServletOutputStream out) {
        /** Writes and flushes, one thread at a time: the heartbeat rounds and a publish may both write. */
        synchronized void write(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        void leave() {
            try {
                async.complete();
            } catch (IllegalStateException alreadyCompleted) {
                // the container completed it after the failed write
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(Integer.parseInt(args[0]));
        connector.setAcceptQueueSize(1024); // as the embedded program
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(PlainAsyncServlet.class, "/*").setAsyncSupported(true);
        server.setHandler(context);
        server.start();
        server.join();
    }
}
