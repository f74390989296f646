package io.lifeline.testing;

import java.util.List;

/**
 * Topics that need escapes in a URI path, for the subscriptions API: every one of them can be subscribed to, so
 * every one must be found there, at the {@code id} the hub itself gives its subscription.
 */
public final class EncodedTopics {

    /** A %, a backslash, a plus and a space, a query and a fragment, non-ASCII, a parameter, a dot-segment inside. */
    public static final List<String> TOPICS = List.of(
            "https://example.com/50%",
            "https://example.com/50%25",
            "https://example.com/a\\b",
            "https://example.com/a+b c",
            "https://example.com/q?x=1&y=2#top",
            "https://example.com/caf\u00e9/\u4e2d\u6587",
            "urn:example:param;v=1",
            "https://example.com/a/../b");

    private EncodedTopics() {
    }

    /**
     * The topic as a path segment written the way some clients do: percent-encoded except for {@code +}, which a
     * path may carry as it is (RFC 3986, 3.3), and which form decoding would wrongly turn into a space.
     */
    public static String withLiteralPlus(String encodedSegment) {
        return encodedSegment.replace("%2B", "+");
    }
}
