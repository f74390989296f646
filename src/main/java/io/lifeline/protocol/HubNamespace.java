package io.lifeline.protocol;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Set;

/**
 * Whether a topic addresses the hub's reserved namespace: the hub's own path and everything under it, where the hub
 * publishes its subscription events. No publisher may publish there, or it could forge them (Mercure 1.0, section
 * "Publication": 400 whatever the token).
 *
 * <p>The rule, as the text gives it: resolve the topic against the hub's URL, remove dot-segments, decode
 * percent-encoded unreserved characters (RFC 3986, sections 2.3 and 5.2.4); the topic is reserved when the path
 * equals the hub's path or begins with it followed by {@code /}, whatever the scheme or authority. So
 * {@code /.well-known/%6Dercure/subscriptions/x}, {@code https://any.host/.well-known/mercure/../mercure/x} and the
 * relative {@code mercure/subscriptions/x} are reserved; {@code https://example.com/.well-known/mercure-docs} and
 * {@code urn:example:/.well-known/mercure} (an opaque path) are not.</p>
 *
 * <p>The text resolves with the WHATWG URL parser. No maintained Java implementation of it can be fetched here, so
 * this class follows the parser's steps that decide a path: leading and trailing C0 controls and spaces and every
 * tab and newline dropped; for the special schemes ({@code http}, {@code https}, {@code ws}, {@code wss},
 * {@code ftp}, {@code file}) and for relative references (the hub's URL being {@code http(s)}), a backslash read as
 * a slash; an authority after {@code //} skipped; {@code %2e} read as a dot in dot-segments. Where the two could
 * differ (a host the URL parser would refuse), this class still reads the path, and refuses more, never less.</p>
 */
public final class HubNamespace {

    /** The hub's path, where Lifeline serves it. */
    public static final String HUB_PATH = "/.well-known/mercure";

    private static final Set<String> SPECIAL = Set.of("http", "https", "ws", "wss", "ftp", "file");

    private HubNamespace() {
    }

    /** Whether the topic, resolved against the hub's URL, addresses {@link #HUB_PATH} or a path under it. */
    public static boolean addresses(String topic) {
        String path = resolvedPath(topic);
        return path != null && (path.equals(HUB_PATH) || path.startsWith(HUB_PATH + "/"));
    }

    /** The path of the topic resolved against the hub's URL, normalized; null for an opaque path. */
    static String resolvedPath(String topic) {
        String input = strip(topic);
        int colon = schemeEnd(input);
        String rest;
        boolean special;
        if (colon > 0) {
            String scheme = input.substring(0, colon).toLowerCase(Locale.ROOT);
            special = SPECIAL.contains(scheme);
            rest = input.substring(colon + 1);
            if (special) {
                rest = rest.replace('\\', '/');
                // a special URL's authority follows however many slashes there are (WHATWG URL, "special authority
                // ignore slashes state"); file URLs are read the same way here
                return normalize(pathAfterAuthority(stripLeadingSlashes(rest)));
            }
            if (rest.startsWith("//")) {
                return normalize(pathAfterAuthority(rest.substring(2)));
            }
            if (!rest.startsWith("/")) {
                return null; // an opaque path (urn:, mailto:...) names no hub path
            }
            return normalize(beforeQuery(rest));
        }
        // a relative reference, resolved against the hub's http(s) URL: a special base
        rest = input.replace('\\', '/');
        if (rest.startsWith("//")) {
            return normalize(pathAfterAuthority(stripLeadingSlashes(rest)));
        }
        if (rest.startsWith("/")) {
            return normalize(beforeQuery(rest));
        }
        String relative = beforeQuery(rest);
        if (relative.isEmpty()) {
            return HUB_PATH; // only a query or a fragment: the hub's own path
        }
        return normalize(HUB_PATH.substring(0, HUB_PATH.lastIndexOf('/') + 1) + relative);
    }

    /** Leading and trailing C0 controls and spaces, and every tab, LF and CR, removed (WHATWG URL, basic parser). */
    private static String strip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && s.charAt(start) <= ' ') {
            start++;
        }
        while (end > start && s.charAt(end - 1) <= ' ') {
            end--;
        }
        StringBuilder b = new StringBuilder(end - start);
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (c != '\t' && c != '\n' && c != '\r') {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** The index of the scheme's colon, or -1 when the input has no scheme (RFC 3986, section 3.1). */
    private static int schemeEnd(String s) {
        if (s.isEmpty() || !isAsciiLetter(s.charAt(0))) {
            return -1;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ':') {
                return i;
            }
            if (!(isAsciiLetter(c) || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
                return -1;
            }
        }
        return -1;
    }

    private static boolean isAsciiLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    private static String stripLeadingSlashes(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) == '/') {
            i++;
        }
        return s.substring(i);
    }

    /** The path after an authority that ends at the first {@code /}, {@code ?} or {@code #}. */
    private static String pathAfterAuthority(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '/') {
                return beforeQuery(s.substring(i));
            }
            if (c == '?' || c == '#') {
                return "/"; // an empty path of a special URL is /
            }
        }
        return "/";
    }

    private static String beforeQuery(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '?' || c == '#') {
                return s.substring(0, i);
            }
        }
        return s;
    }

    /**
     * Percent-encoded unreserved characters decoded (RFC 3986, section 6.2.2.2), then dot-segments removed
     * (section 5.2.4; {@code %2e} already decoded to a dot, as the URL parser also reads it).
     */
    static String normalize(String path) {
        StringBuilder decoded = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '%' && i + 2 < path.length()) {
                int hi = Character.digit(path.charAt(i + 1), 16);
                int lo = Character.digit(path.charAt(i + 2), 16);
                if (hi >= 0 && lo >= 0) {
                    char octet = (char) (hi * 16 + lo);
                    if (isUnreserved(octet)) {
                        decoded.append(octet);
                        i += 2;
                        continue;
                    }
                }
            }
            decoded.append(c);
        }
        return removeDotSegments(decoded.toString());
    }

    private static boolean isUnreserved(char c) {
        return isAsciiLetter(c) || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~';
    }

    private static String removeDotSegments(String path) {
        Deque<String> out = new ArrayDeque<>();
        String[] segments = path.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            boolean last = i == segments.length - 1;
            if (segment.equals(".")) {
                if (last) {
                    out.addLast("");
                }
            } else if (segment.equals("..")) {
                if (out.size() > 1) {
                    out.removeLast();
                }
                if (last) {
                    out.addLast("");
                }
            } else {
                out.addLast(segment);
            }
        }
        String joined = String.join("/", out);
        return joined.startsWith("/") ? joined : "/" + joined;
    }
}
