package io.lifeline.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * A prototype, for the benchmark only: event streams served through Jetty's core handler API instead of a servlet,
 * to measure what an idle stream costs there (heap, resident memory, CPU per heartbeat). Each stream gets the
 * event-stream head and a comment, then a heartbeat comment every 5 s, written in rounds of one slot of streams every
 * 100 ms ({@code Response.write} straight to the connection, no servlet output stream, no aggregate buffer). No hub,
 * no topics, no departure watch: a stream leaves when a heartbeat's write fails.
 *
 * <p>Run as its own process: {@code CoreHandlerPrototype PORT [servlet]}; with {@code servlet}, the same streams
 * and heartbeats go through an async servlet's output stream instead ({@link PlainAsyncServlet#holding}), so the
 * two differ in the API alone.</p>
 */
public final class CoreHandlerPrototype extends Handler.Abstract {

    static final ByteBuffer COMMENT = ByteBuffer.wrap(":\n\n".getBytes(StandardCharsets.US_ASCII)).asReadOnlyBuffer();
    static final int SLOTS = 50;

    private final List<List<Stream>> slots = new ArrayList<>();
    private int next;

    CoreHandlerPrototype(ScheduledExecutorService rounds) {
        for (int i = 0; i < SLOTS; i++) {
            slots.add(new ArrayList<>());
        }
        rounds.scheduleAtFixedRate(this::round, 100, 100, TimeUnit.MILLISECONDS);
    }

    private record Stream(Response response, Callback done) {
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        Stream stream = new Stream(response, callback);
        response.write(false, COMMENT.slice(), Callback.from(() -> add(stream), callback::failed));
        return true;
    }

    private synchronized void add(Stream stream) {
        slots.get((next + SLOTS - 1) % SLOTS).add(stream);
    }

    private void round() {
        List<Stream> due;
        synchronized (this) {
            due = new ArrayList<>(slots.get(next));
            next = (next + 1) % SLOTS;
        }
        for (Stream stream : due) {
            stream.response().write(false, COMMENT.slice(), Callback.from(() -> { }, failure -> {
                remove(stream);
                stream.done().failed(failure);
            }));
        }
    }

    private synchronized void remove(Stream stream) {
        for (List<Stream> slot : slots) {
            if (slot.remove(stream)) {
                return;
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(Integer.parseInt(args[0]));
        connector.setAcceptQueueSize(1024);
        connector.setIdleTimeout(60_000);
        server.addConnector(connector);
        ScheduledExecutorService rounds = Executors.newSingleThreadScheduledExecutor();
        if (args.length > 1 && args[1].equals("servlet")) {
            server.setHandler(PlainAsyncServlet.holding(rounds));
        } else {
            server.setHandler(new CoreHandlerPrototype(rounds));
        }
        server.start();
        server.join();
    }
}
