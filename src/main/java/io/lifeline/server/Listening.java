package io.lifeline.server;

import java.net.Inet6Address;
import java.net.InetSocketAddress;

/**
 * Where the embedded program listens, as its readiness line says it:
 * {@code Lifeline ready on <URL> (port N), listening on <where>}. The URL is one a browser on the same machine can
 * open; {@code <where>} says what else can reach it: all interfaces, IPv4 and IPv6 ({@code LIFELINE_HOST} empty,
 * {@code 0.0.0.0} or {@code ::}; all IPv4 interfaces in a JVM without IPv6), or the one address given.
 *
 * <p>Tests and benchmarks read the port from the line's start, {@code Lifeline ready on <URL> (port N)}, which keeps
 * its shape.</p>
 *
 * @param url   the hub's page, e.g. {@code http://localhost:8080/}
 * @param port  the port bound, also when 0 was asked
 * @param where the addresses it listens on, in words
 */
record Listening(String url, int port, String where) {

    /**
     * @param host   the host asked for ({@code LIFELINE_HOST}), or null for every interface
     * @param scheme {@code http} or {@code https}
     * @param bound  the address the connector bound
     */
    static Listening of(String host, String scheme, InetSocketAddress bound) {
        int port = bound.getPort();
        if (bound.getAddress().isAnyLocalAddress()) {
            // What the socket is bound to, not what was asked: Java binds 0.0.0.0 as IPv6's wildcard, which takes
            // IPv4 too, unless the JVM has no IPv6. A wildcard listens on loopback, where a browser here reaches it.
            boolean both = bound.getAddress() instanceof Inet6Address;
            return new Listening(scheme + "://" + (both ? "localhost" : "127.0.0.1") + ":" + port + "/", port,
                    both ? "all interfaces (IPv4 and IPv6)" : "all IPv4 interfaces");
        }
        String shown = host != null ? host : bound.getAddress().getHostAddress();
        String inUrl = shown.contains(":") && !shown.startsWith("[") ? "[" + shown + "]" : shown;
        return new Listening(scheme + "://" + inUrl + ":" + port + "/", port, shown + " only");
    }

    /** {@code Lifeline ready on http://localhost:8080/ (port 8080), listening on all interfaces (IPv4 and IPv6)}. */
    String readinessLine() {
        return "Lifeline ready on " + url + " (port " + port + "), listening on " + where;
    }
}
