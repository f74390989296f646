package io.lifeline.watch;

import jakarta.servlet.http.HttpServletRequest;
import java.util.function.Predicate;

/**
 * Watches the connection under one request for the client's departure.
 *
 * <p>The Servlet API never reports a client's FIN: {@code ReadListener.onAllDataRead} fires at once for a GET
 * because its empty body ends, and containers stop reading the socket while an async request is handled. A client
 * behind a proxy that half-closes and goes on accepting bytes therefore looks alive forever to writes alone. A watch
 * reaches below the Servlet API, into one container's internals, and reads the socket itself.</p>
 *
 * <p>Implementations live in one package per container and are the only place container internals are touched.
 * The watch is chosen per request: one connection kind (HTTP/1.x, HTTP/2, TLS) may be watchable and another not.</p>
 */
public interface DepartureWatch {

    /** A short name for logs and metric labels, e.g. {@code jetty-http1}. */
    String kind();

    /**
     * Prepares a watch on the connection carrying this request, not yet armed, or returns null when this container
     * offers nothing for that connection. Preparing also applies Lifeline's socket options to the connection (the
     * TCP user timeout, through {@link io.lifeline.tcp.TcpSockets}) wherever the container lets the socket be
     * reached. A handle that can reach the connection without seeing departures (TLS on Tomcat: its bytes are
     * encrypted) says so with {@link Handle#watches()}: it still aborts, and its subscriber counts as unwatched.
     */
    Handle prepare(HttpServletRequest request, DepartureListener listener);

    /** Releases what the watch holds for all connections (a thread, a selector); called when the web app stops. */
    default void close() {
    }

    /** One connection's watch. Every method is idempotent and safe from any thread. */
    interface Handle {

        /**
         * Whether this handle sees the client's departures. False for a handle that can only abort the connection;
         * its subscriber then relies on heartbeats and the maximum lifetime, like one no watch guards.
         */
        default boolean watches() {
            return true;
        }

        /** Starts watching. Does nothing once cancelled. */
        void arm();

        /**
         * Stops watching and leaves the connection as the container expects it. Must be called before the response
         * completes: a read interest left behind would abort the connection or swallow the next request on it.
         */
        void cancel();

        /**
         * Closes the connection at once: whatever is still buffered for it is dropped and the client gets an RST
         * (on HTTP/2, the stream is reset). Called when bytes may be stuck in the connection (a stalled or failed
         * write, a client that vanished): a plain close would queue a FIN behind them and hold the socket in
         * {@code FIN-WAIT-1} for minutes.
         */
        void abort();

        /**
         * Tells the listener which departure a failure the container reported on the response stands for, as this
         * watch would have had the container not told the response first (an HTTP/2 connection's end reaches the
         * response before any listener). Returns false when the failure is no departure this watch knows.
         */
        default boolean explain(Throwable failure) {
            return false;
        }

        /**
         * A handle that watches nothing and aborts by running {@code abort}: for a connection a container reaches
         * but cannot read, or one no container hook reaches at all ({@code abort} then does nothing).
         */
        static Handle abortOnly(Runnable abort) {
            return new AbortOnly(abort, failure -> false);
        }

        /**
         * A handle that watches nothing, aborts as {@code container} does and explains failures as it does: for a
         * connection a container's watch reaches but is not asked to read.
         */
        static Handle abortOnly(Handle container) {
            return abortOnly(container::abort, container::explain);
        }

        /** A handle that watches nothing, aborts by running {@code abort} and explains failures with {@code explain}. */
        static Handle abortOnly(Runnable abort, Predicate<Throwable> explain) {
            return new AbortOnly(abort, explain);
        }
    }

    /** See {@link Handle#abortOnly}. */
    record AbortOnly(Runnable close, Predicate<Throwable> explainer) implements Handle {
        @Override
        public boolean watches() {
            return false;
        }

        @Override
        public void arm() {
        }

        @Override
        public void cancel() {
        }

        @Override
        public void abort() {
            close.run();
        }

        @Override
        public boolean explain(Throwable failure) {
            return explainer.test(failure);
        }
    }
}
