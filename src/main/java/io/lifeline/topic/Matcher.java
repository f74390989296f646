package io.lifeline.topic;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One topic matcher of a subscription: a value and the rule it is read by. Both protocol dialects map their
 * subscriptions onto lists of these, so that the topic index, the fan-out and the replay never ask which dialect a
 * subscriber speaks.
 *
 * <p>The value {@code *} matches every topic whatever the type (Mercure 1.0, section "Matcher Types": it is
 * recognized before the type; draft-07, section "Subscription": the same wildcard).</p>
 *
 * @param type  how the value is read
 * @param value the matcher as the client sent it, percent-decoded
 */
public record Matcher(Type type, String value) {

    /** The rules a matcher value can be read by. */
    public enum Type {
        /**
         * A draft-07 topic selector ({@code topic} parameter, {@code mercure.subscribe} and {@code publish} claims):
         * {@code *}, the topic itself, or a URI template (RFC 6570) matching every topic it can expand to.
         */
        SELECTOR,
        /**
         * A Mercure 1.0 exact matcher ({@code match} or {@code match_exact}): a case-sensitive comparison of the
         * whole value with the topic, with no template, relative-reference resolution or normalization (section
         * "Exact Matching").
         */
        EXACT
    }

    public Matcher {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
    }

    /** A draft-07 topic selector. */
    public static Matcher selector(String value) {
        return new Matcher(Type.SELECTOR, value);
    }

    /** A Mercure 1.0 exact matcher. */
    public static Matcher exact(String value) {
        return new Matcher(Type.EXACT, value);
    }

    /** Draft-07 topic selectors, in order. */
    public static List<Matcher> selectors(List<String> values) {
        List<Matcher> matchers = new ArrayList<>(values.size());
        for (String value : values) {
            matchers.add(selector(value));
        }
        return List.copyOf(matchers);
    }

    /**
     * How logs show it: a draft-07 selector as itself, a 1.0 matcher as the parameter that made it
     * ({@code match=<value>}), so that the two readings of one value are told apart.
     */
    public String display() {
        return type == Type.SELECTOR ? value : "match=" + value;
    }

    /** Whether this matches every topic. */
    public boolean isWildcard() {
        return TopicMatcher.WILDCARD.equals(value);
    }
}
