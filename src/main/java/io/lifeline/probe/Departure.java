package io.lifeline.probe;

import java.io.IOException;

/** A way a client leaves a stream, as the probe plays it on a connection of its own. */
enum Departure {
    /**
     * A FIN, then reading on: what a full-proxy load balancer sends the server when its client leaves. Over TLS the
     * FIN goes under the TLS layer, without a close_notify.
     */
    FIN("fin", "FIN, reading on", "the FIN",
            "A full-proxy load balancer (an F5, say) answers its client's departure with a FIN alone and reads on, so "
            + "no write ever fails: a server that waits for a failed write keeps the stream and everything it holds "
            + "forever."),
    /** A TLS close_notify alert without a FIN, then reading on. */
    CLOSE_NOTIFY("close-notify", "TLS close_notify, reading on", "the close_notify",
            "A TLS client or proxy that ends TLS properly sends close_notify; a server that ignores it keeps the "
            + "stream until TCP itself ends, which behind a full proxy may be never."),
    /** An RST: a connection aborted, as a client's kernel aborts one its program dropped. */
    RST("rst", "RST", "the RST",
            "An RST is what arrives when a client's program or host dies; a server that misses it keeps the "
            + "stream until a write fails, one heartbeat later at best."),
    /** A FIN without reading on: a client that closes its socket (over TLS, after a close_notify). */
    CLOSE("close", "close (FIN, reading stopped)", "the close",
            "A browser tab that closes sends a FIN and reads no more; a server that does not notice learns of it "
            + "only when its next write draws an RST."),
    /**
     * An HTTP/2 stream cancelled with RST_STREAM while its connection stays: how a browser closes an EventSource
     * over HTTP/2. Played by {@link Http2Departure}, which speaks the frames.
     */
    RST_STREAM("rst-stream", "RST_STREAM (HTTP/2)", "the RST_STREAM",
            "A browser closes an EventSource over HTTP/2 with RST_STREAM and keeps the connection for other "
            + "requests: a server that watches only TCP never learns that the stream is gone.");

    private final String check;
    private final String label;
    private final String noun;
    private final String why;

    Departure(String check, String label, String noun, String why) {
        this.check = check;
        this.label = label;
        this.noun = noun;
        this.why = why;
    }

    /** The name of the check for scripts. */
    String check() {
        return check;
    }

    /** The table's label. */
    String label(boolean tls) {
        if (tls && this == FIN) {
            return "FIN under TLS, reading on";
        }
        return tls && this == CLOSE ? "close (close_notify, FIN, reading stopped)" : label;
    }

    /** How a report names the moment, e.g. "the FIN". */
    String noun() {
        return noun;
    }

    /** Why a server that misses this departure leaks. */
    String why() {
        return why;
    }

    /** Leaves the stream on this connection. */
    void play(Connection connection) throws IOException {
        switch (this) {
            case FIN -> connection.fin();
            case CLOSE_NOTIFY -> connection.closeNotify();
            case RST -> connection.reset();
            case CLOSE -> connection.close();
            case RST_STREAM -> throw new UnsupportedOperationException("an HTTP/2 stream leaves by a frame: "
                    + "Http2Departure sends it");
        }
    }
}
