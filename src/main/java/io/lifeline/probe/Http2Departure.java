package io.lifeline.probe;

import io.lifeline.probe.Finding.Outcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * An HTTP/2 stream that leaves with RST_STREAM while its connection stays (RFC 9113, section 6.4): how a browser
 * closes an EventSource over HTTP/2. No FIN and no RST reach TCP, so only the server's own view can tell whether it
 * noticed: a Mercure hub's list, as in {@link HubDeparture}.
 *
 * <p>Speaks the least HTTP/2 the check needs, written here rather than taken from a client library so that the probe
 * decides each frame: the preface and an empty SETTINGS, a SETTINGS acknowledgement, one HEADERS frame whose fields
 * are HPACK literals without indexing or Huffman coding (RFC 7541, section 6.2.2), then RST_STREAM with CANCEL. Over
 * TLS by ALPN {@code h2}, in plain text by prior knowledge (RFC 9113, section 3.3).</p>
 */
final class Http2Departure implements Callable<Finding> {

    private static final String CHECK = Departure.RST_STREAM.check();
    private static final String LABEL = Departure.RST_STREAM.label(false);

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADERS = 1;
    private static final int RST_STREAM = 3;
    private static final int SETTINGS = 4;
    private static final int PING = 6;
    private static final int GOAWAY = 7;
    private static final int END_STREAM = 0x1;
    private static final int ACK = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final int PADDED = 0x8;
    private static final int PRIORITY = 0x20;
    private static final int CANCEL = 0x8;
    private static final int STREAM = 1;
    /** HPACK's static table entry 8, {@code :status: 200} (RFC 7541, appendix A), as an indexed field. */
    private static final int STATUS_200 = 0x88;

    /**
     * Fields HTTP/2 forbids or carries otherwise (RFC 9113, section 8.2.2): {@code host} goes as {@code :authority},
     * the rest are HTTP/1.1's connection management.
     */
    private static final Set<String> CONNECTION_SPECIFIC = Set.of("host", "connection", "keep-alive",
            "proxy-connection", "transfer-encoding", "upgrade", "te");
    /** The largest frame payload a peer must take before SETTINGS says otherwise (RFC 9113, section 4.2). */
    private static final int MAX_FRAME = 16_384;

    private final ProbeRun run;

    Http2Departure(ProbeRun run) {
        this.run = run;
    }

    @Override
    public Finding call() {
        Finding unwatchable = HubDeparture.unwatchable(run, Departure.RST_STREAM);
        if (unwatchable != null) {
            return unwatchable;
        }
        long deadline = System.nanoTime() + Target.CONNECT_TIMEOUT.toNanos();
        try (MercureHub hub = run.hub().copy();
             Connection connection = run.target().open(0, "h2", "http/1.1")) {
            if (run.target().tls() && !"h2".equals(connection.applicationProtocol())) {
                return Finding.of(CHECK, LABEL, Outcome.NOT_RUN, "the server speaks no HTTP/2 (ALPN)");
            }
            byte[] fields = fields(run.hubStreamFor(CHECK));
            if (fields.length > MAX_FRAME) {
                return Finding.of(CHECK, LABEL, Outcome.NOT_RUN, "the request's header fields take more than "
                        + MAX_FRAME + " bytes, more than one frame");
            }
            connection.write(concat(clientPreface(), frame(HEADERS, END_HEADERS | END_STREAM, STREAM, fields)));
            Frame answer;
            try {
                answer = awaitHeaders(connection, deadline);
            } catch (NotHttp2 e) {
                answer = null;
            }
            if (answer == null) {
                return Finding.of(CHECK, LABEL, Outcome.NOT_RUN, run.target().tls()
                        ? "the hub answered no HTTP/2 stream within " + Target.CONNECT_TIMEOUT.toSeconds() + " s"
                        : "the server speaks no h2c with prior knowledge");
            }
            if (!answersOk(answer)) {
                return Finding.of(CHECK, LABEL, Outcome.NOT_RUN, "the hub did not answer 200 over HTTP/2 (first "
                        + "field octets " + HexFormat.of().formatHex(answer.payload, 0,
                        Math.min(8, answer.payload.length)) + ")");
            }
            return HubDeparture.watch(run, Departure.RST_STREAM, hub,
                    () -> connection.write(frame(RST_STREAM, 0, STREAM, new byte[] {0, 0, 0, CANCEL})),
                    ", connection kept");
        } catch (MercureHub.HubRefusal e) {
            return Finding.of(CHECK, LABEL, Outcome.ERROR, e.getMessage() + HubDeparture.REFUSED);
        } catch (IOException e) {
            return new Finding(CHECK, LABEL, Outcome.ERROR, e.getMessage(), null, Map.of());
        }
    }

    /** The client connection preface and an empty SETTINGS frame (RFC 9113, section 3.4). */
    static byte[] clientPreface() {
        return concat(PREFACE, frame(SETTINGS, 0, 0, new byte[0]));
    }

    /** Whether a frame head is a SETTINGS frame's, the first frame an HTTP/2 server sends. */
    static boolean isSettings(byte[] frameHead) {
        return frameHead.length >= 9 && frameHead[3] == SETTINGS;
    }

    /**
     * Whether a response's HEADERS frame starts its field block with {@code :status: 200} (a response's first field,
     * RFC 9113, section 8.3.2) as HPACK's static entry 8, after the frame's padding length and priority where its
     * flags say so (section 6.2) and any dynamic table size updates (RFC 7541, section 6.3).
     */
    static boolean answersOk(Frame headers) {
        byte[] block = headers.payload;
        int i = (headers.flags & PADDED) != 0 ? 1 : 0;
        if ((headers.flags & PRIORITY) != 0) {
            i += 5;
        }
        while (i < block.length && (block[i] & 0xe0) == 0x20) {
            if ((block[i++] & 0x1f) == 0x1f) {
                while (i < block.length && (block[i] & 0x80) != 0) {
                    i++;
                }
                i++;
            }
        }
        return i < block.length && (block[i] & 0xff) == STATUS_200;
    }

    /** Reads frames until the response's HEADERS on the probe's stream; acknowledges SETTINGS and PING meanwhile. */
    private static Frame awaitHeaders(Connection connection, long deadline) throws IOException {
        while (true) {
            Frame frame = Frame.read(connection, deadline);
            if (frame == null || frame.type == GOAWAY) {
                return null;
            }
            if (frame.type == SETTINGS && (frame.flags & ACK) == 0) {
                connection.write(frame(SETTINGS, ACK, 0, new byte[0]));
            } else if (frame.type == PING && (frame.flags & ACK) == 0) {
                connection.write(frame(PING, ACK, 0, frame.payload));
            } else if (frame.type == HEADERS && frame.stream == STREAM) {
                return frame;
            } else if (frame.type == RST_STREAM && frame.stream == STREAM) {
                return null;
            }
        }
    }

    /** The request's header block: pseudo-fields first (RFC 9113, section 8.3.1), names lowered. */
    private byte[] fields(URI url) {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        literal(block, ":method", "GET");
        literal(block, ":scheme", run.target().tls() ? "https" : "http");
        literal(block, ":authority", run.target().host());
        literal(block, ":path", Target.pathAndQuery(url));
        for (String line : List.of("accept: text/event-stream", "cache-control: no-cache",
                "user-agent: lifeline-probe")) {
            String name = line.substring(0, line.indexOf(':'));
            if (!run.target().hasHeader(name)) {
                literal(block, name, line.substring(name.length() + 1).trim());
            }
        }
        List<String> lines = new ArrayList<>(run.target().headers());
        lines.addAll(run.hubHeaders());
        for (String line : lines) {
            int colon = line.indexOf(':');
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            if (!CONNECTION_SPECIFIC.contains(name)) {
                literal(block, name, line.substring(colon + 1).trim());
            }
        }
        return block.toByteArray();
    }

    /** A literal field without indexing, new name, no Huffman coding (RFC 7541, section 6.2.2). */
    private static void literal(ByteArrayOutputStream block, String name, String value) {
        block.write(0);
        string(block, name.getBytes(StandardCharsets.UTF_8));
        string(block, value.getBytes(StandardCharsets.UTF_8));
    }

    /** A string literal: its length as a 7-bit prefix integer (RFC 7541, section 5.1), then its octets. */
    private static void string(ByteArrayOutputStream block, byte[] octets) {
        int length = octets.length;
        if (length < 127) {
            block.write(length);
        } else {
            block.write(127);
            length -= 127;
            while (length >= 128) {
                block.write((length & 0x7f) | 0x80);
                length >>>= 7;
            }
            block.write(length);
        }
        block.write(octets, 0, octets.length);
    }

    /** A frame: 24-bit length, type, flags, 31-bit stream id, payload (RFC 9113, section 4.1). */
    private static byte[] frame(int type, int flags, int stream, byte[] payload) {
        byte[] frame = new byte[9 + payload.length];
        frame[0] = (byte) (payload.length >>> 16);
        frame[1] = (byte) (payload.length >>> 8);
        frame[2] = (byte) payload.length;
        frame[3] = (byte) type;
        frame[4] = (byte) flags;
        frame[5] = (byte) (stream >>> 24 & 0x7f);
        frame[6] = (byte) (stream >>> 16);
        frame[7] = (byte) (stream >>> 8);
        frame[8] = (byte) stream;
        System.arraycopy(payload, 0, frame, 9, payload.length);
        return frame;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.write(part, 0, part.length);
        }
        return all.toByteArray();
    }

    /** What came is not HTTP/2: the server answered the preface in HTTP/1.1. */
    private static final class NotHttp2 extends IOException {
        NotHttp2() {
            super("not HTTP/2");
        }
    }

    /** One frame read whole. */
    private record Frame(int type, int flags, int stream, byte[] payload) {

        /** The next frame, or null when none came by the deadline or the connection ended. */
        static Frame read(Connection connection, long deadline) throws IOException {
            byte[] head = readFully(connection, 9, deadline);
            if (head == null) {
                return null;
            }
            int length = (head[0] & 0xff) << 16 | (head[1] & 0xff) << 8 | head[2] & 0xff;
            if (length > 1 << 20 || head[0] == 'H') {
                throw new NotHttp2(); // "HTTP/1.1 400 ...": a server that answers the preface in HTTP/1.1
            }
            byte[] payload = readFully(connection, length, deadline);
            if (payload == null) {
                return null;
            }
            int stream = (head[5] & 0x7f) << 24 | (head[6] & 0xff) << 16 | (head[7] & 0xff) << 8 | head[8] & 0xff;
            return new Frame(head[3] & 0xff, head[4] & 0xff, stream, payload);
        }

        private static byte[] readFully(Connection connection, int length, long deadline) throws IOException {
            byte[] bytes = new byte[length];
            int read = 0;
            while (read < length) {
                byte[] some = new byte[length - read];
                int n = connection.readRaw(some, deadline);
                if (n <= 0) {
                    return null;
                }
                System.arraycopy(some, 0, bytes, read, n);
                read += n;
            }
            return bytes;
        }
    }
}
