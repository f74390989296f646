package io.lifeline.http;

import com.google.common.net.InetAddresses;
import io.lifeline.config.AddressRange;
import jakarta.servlet.http.HttpServletRequest;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;

/**
 * Which client a request comes from, for the per-address limit: the peer's address, unless the peer is one of the
 * configured trusted proxies, in which case the nearest address its forwarding headers name that is not itself a
 * trusted proxy ({@code X-Forwarded-For}, and {@code Forwarded: for=} of RFC 7239, read from the right: entries
 * further left were written by the client or by proxies nobody vouches for). An IPv6 client counts by its /64, the
 * smallest network one host is usually given (RFC 4291, 2.5.4).
 *
 * <p>Behind a proxy that is not trusted here every client shares its address: the limit is off by default for that
 * reason. A container that already resolves the client (Tomcat's {@code RemoteIpValve}, Jetty's {@code forwarded}
 * module) needs no trusted proxies here.</p>
 */
final class ClientAddresses {

    private final List<AddressRange> trusted;

    ClientAddresses(List<AddressRange> trusted) {
        this.trusted = List.copyOf(trusted);
    }

    /** The key the request's client counts under. */
    String keyOf(HttpServletRequest request) {
        String remote = request.getRemoteAddr();
        if (!InetAddresses.isInetAddress(remote)) {
            return remote;
        }
        InetAddress client = InetAddresses.forString(remote);
        if (isTrusted(client)) {
            List<String> hops = forwardedFor(request);
            for (int i = hops.size() - 1; i >= 0; i--) {
                String hop = hops.get(i);
                if (!InetAddresses.isInetAddress(hop)) {
                    break; // an obfuscated or malformed entry: the last address known stands
                }
                client = InetAddresses.forString(hop);
                if (!isTrusted(client)) {
                    break;
                }
            }
        }
        return key(client);
    }

    private boolean isTrusted(InetAddress address) {
        for (AddressRange range : trusted) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** The addresses the forwarding headers name, leftmost first. */
    private static List<String> forwardedFor(HttpServletRequest request) {
        List<String> hops = new ArrayList<>();
        for (String value : values(request, "Forwarded")) {
            for (String element : value.split(",")) {
                for (String pair : element.split(";")) {
                    String p = pair.trim();
                    if (p.toLowerCase(Locale.ROOT).startsWith("for=")) {
                        hops.add(unquote(p.substring(4)));
                    }
                }
            }
        }
        if (hops.isEmpty()) {
            for (String value : values(request, "X-Forwarded-For")) {
                Arrays.stream(value.split(",")).map(String::trim).filter(h -> !h.isEmpty()).forEach(hops::add);
            }
        }
        return hops;
    }

    private static List<String> values(HttpServletRequest request, String name) {
        Enumeration<String> values = request.getHeaders(name);
        return values == null ? List.of() : Collections.list(values);
    }

    /** {@code "[2001:db8::1]:4711"} or {@code 192.0.2.1:80} to the bare address. */
    private static String unquote(String node) {
        String n = node.startsWith("\"") && node.endsWith("\"") && node.length() > 1
                ? node.substring(1, node.length() - 1) : node;
        if (n.startsWith("[")) {
            int end = n.indexOf(']');
            return end < 0 ? n : n.substring(1, end);
        }
        int colon = n.indexOf(':');
        return colon >= 0 && n.indexOf(':', colon + 1) < 0 ? n.substring(0, colon) : n;
    }

    static String key(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return InetAddresses.toAddrString(address);
        }
        byte[] network = Arrays.copyOf(address.getAddress(), 16);
        Arrays.fill(network, 8, 16, (byte) 0);
        try {
            return InetAddresses.toAddrString(InetAddress.getByAddress(network)) + "/64"; // raw bytes: no lookup
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
