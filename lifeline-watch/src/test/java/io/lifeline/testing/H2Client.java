package io.lifeline.testing;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.ErrorCode;
import org.eclipse.jetty.http2.HTTP2Session;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * An HTTP/2 client holding one connection on which the test opens several SSE streams and resets one of them, as a
 * browser's {@code EventSource.close()} does on HTTP/2.
 */
public final class H2Client implements AutoCloseable {

    private final HTTP2Client client;
    private final Session session;
    private final String authority;
    private final boolean tls;

    private H2Client(HTTP2Client client, Session session, String authority, boolean tls) {
        this.client = client;
        this.session = session;
        this.authority = authority;
        this.tls = tls;
    }

    /** h2c with prior knowledge, or h2 over TLS through ALPN. */
    public static H2Client connect(int port, boolean tls) throws Exception {
        return connect(port, tls, 0);
    }

    /**
     * @param streamWindow if positive, the flow-control window each stream grants the server: a stream that stops
     *                     reading then stalls the server's writes after this many bytes
     */
    public static H2Client connect(int port, boolean tls, int streamWindow) throws Exception {
        return connect("127.0.0.1", port, tls, streamWindow);
    }

    /** The same to another address than loopback. */
    public static H2Client connect(String host, int port, boolean tls, int streamWindow) throws Exception {
        ClientConnector connector = new ClientConnector();
        if (tls) {
            SslContextFactory.Client ssl = new SslContextFactory.Client();
            ssl.setSslContext(Tls.trustingClient());
            ssl.setEndpointIdentificationAlgorithm(null);
            connector.setSslContextFactory(ssl);
        }
        HTTP2Client client = new HTTP2Client(connector);
        if (streamWindow > 0) {
            client.setInitialStreamRecvWindow(streamWindow);
        }
        client.start();
        InetSocketAddress address = new InetSocketAddress(host, port);
        Session session = tls
                ? client.connect(connector.getSslContextFactory(), address, new Session.Listener() { }).get(5, TimeUnit.SECONDS)
                : client.connect(address, new Session.Listener() { }).get(5, TimeUnit.SECONDS);
        return new H2Client(client, session, host + ":" + port, tls);
    }

    /**
     * An HTTP/2 (h2c) SSE client in a process of its own, for a test's network namespace:
     * {@code H2Client HOST PORT PATH} prints {@code HEAD <status>}, then {@code COMMENT} for each comment received.
     */
    public static void main(String[] args) throws Exception {
        H2Client client = connect(args[0], Integer.parseInt(args[1]), false, 0);
        SseStream stream = client.get(args[2]);
        Poll.until(Duration.ofSeconds(10), "a response", () -> stream.status() != 0);
        System.out.println("HEAD " + stream.status());
        int printed = 0;
        while (!stream.ended()) {
            int comments = stream.body().split("(?m)^:", -1).length - 1;
            for (; printed < comments; printed++) {
                System.out.println("COMMENT");
            }
            System.out.flush();
            Thread.sleep(20);
        }
        System.out.println("EOF");
    }

    /** Opens a GET stream and collects its body; header values go out as ISO-8859-1 bytes, one per char. */
    public SseStream get(String pathAndQuery, String... headerNamesAndValues) throws Exception {
        HttpFields.Mutable fields = HttpFields.build().add("Accept", "text/event-stream");
        for (int i = 0; i < headerNamesAndValues.length; i += 2) {
            fields.add(headerNamesAndValues[i], headerNamesAndValues[i + 1]);
        }
        MetaData.Request request = new MetaData.Request("GET",
                HttpURI.from((tls ? "https://" : "http://") + authority + pathAndQuery), HttpVersion.HTTP_2,
                fields);
        SseStream listener = new SseStream();
        listener.stream = session.newStream(new HeadersFrame(request, null, true), listener).get(5, TimeUnit.SECONDS);
        return listener;
    }

    public boolean isOpen() {
        return !session.isClosed();
    }

    /** Closes the TCP connection under the session at once, without GOAWAY: a browser that quits. */
    public void dropConnection() {
        ((HTTP2Session) session).getEndPoint().close();
    }

    @Override
    public void close() throws Exception {
        client.stop();
    }

    /** One stream and what it received. */
    public static final class SseStream implements Stream.Listener {
        private final StringBuilder body = new StringBuilder();
        private volatile Stream stream;
        private volatile int status;
        private volatile HttpFields headers;
        private volatile boolean ended;
        private volatile boolean reading = true;

        @Override
        public void onHeaders(Stream s, HeadersFrame frame) {
            if (frame.getMetaData() instanceof MetaData.Response response) {
                headers = response.getHttpFields();
                status = response.getStatus();
            }
            if (frame.isEndStream()) {
                ended = true;
            } else {
                s.demand();
            }
        }

        @Override
        public void onDataAvailable(Stream s) {
            if (!reading) {
                return; // no read, no demand: the stream's window stays shut
            }
            Stream.Data data = s.readData();
            if (data == null) {
                s.demand();
                return;
            }
            ByteBuffer buffer = data.frame().getByteBuffer();
            synchronized (body) {
                body.append(StandardCharsets.UTF_8.decode(buffer));
            }
            boolean last = data.frame().isEndStream();
            data.release();
            if (last) {
                ended = true;
            } else {
                s.demand();
            }
        }

        @Override
        public void onReset(Stream s, ResetFrame frame, Callback callback) {
            ended = true;
            callback.succeeded();
        }

        public void awaitBody(String text, Duration within) {
            Poll.until(within, "stream body containing " + text, () -> body().contains(text));
        }

        public String body() {
            synchronized (body) {
                return body.toString();
            }
        }

        public int status() {
            return status;
        }

        /** A response header as received, one char per byte, or null. */
        public String header(String name) {
            HttpFields fields = headers;
            return fields == null ? null : fields.get(name);
        }

        /** Whether the server ended or reset the stream. */
        public boolean ended() {
            return ended;
        }

        /** Stops reading this stream, as a stuck consumer would; the connection's other streams go on. */
        public void stopReading() {
            reading = false;
        }

        /** Resets the stream, as EventSource.close() does on HTTP/2; the connection stays. */
        public void reset() {
            stream.reset(new ResetFrame(stream.getId(), ErrorCode.CANCEL_STREAM_ERROR.code), Callback.NOOP);
        }
    }
}
