package io.lifeline.probe;

import io.lifeline.probe.Finding.Outcome;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Whether the server also speaks HTTP/2: over TLS, whether it picks {@code h2} when ALPN offers it (RFC 7301); in
 * plain text, whether it answers the HTTP/2 connection preface with a SETTINGS frame (h2c with prior knowledge,
 * RFC 9113, section 3.3). The departures run on HTTP/1.1 either way: on HTTP/2 a client leaves a stream with
 * RST_STREAM, which only the server's own view (a hub's list) can show.
 */
final class ProtocolCheck implements Callable<Finding> {

    private static final long ANSWER_NANOS = 2_000_000_000L;

    private final Target target;

    ProtocolCheck(Target target) {
        this.target = target;
    }

    @Override
    public Finding call() {
        String after = "; the departures ran on HTTP/1.1";
        try {
            if (target.tls()) {
                try (Connection connection = target.open(0, "h2", "http/1.1")) {
                    boolean h2 = "h2".equals(connection.applicationProtocol());
                    return new Finding("http2", "HTTP/2", Outcome.INFO, (h2 ? "h2 agreed by ALPN"
                            : "HTTP/1.1 only (ALPN offered h2, the server chose "
                            + (connection.applicationProtocol() == null ? "none" : connection.applicationProtocol())
                            + ")") + after, null, Map.of("h2", h2));
                }
            }
            try (Connection connection = target.open(0)) {
                connection.write(Http2Departure.clientPreface());
                byte[] frame = new byte[9];
                int read = 0;
                long deadline = System.nanoTime() + ANSWER_NANOS;
                while (read < frame.length) {
                    byte[] some = new byte[frame.length - read];
                    int n = connection.readRaw(some, deadline);
                    if (n <= 0) {
                        break;
                    }
                    System.arraycopy(some, 0, frame, read, n);
                    read += n;
                }
                boolean h2c = read == frame.length && Http2Departure.isSettings(frame);
                return new Finding("http2", "HTTP/2", Outcome.INFO, (h2c ? "h2c with prior knowledge spoken"
                        : "h2c with prior knowledge not spoken") + after, null, Map.of("h2c", h2c));
            }
        } catch (IOException e) {
            return Finding.of("http2", "HTTP/2", Outcome.INFO, "not learnt: " + e.getMessage());
        }
    }
}
