package io.lifeline.topic;

import java.util.List;

/**
 * Decides whether a topic matches a topic selector. Subscriptions, private updates and token claims all match
 * through this one interface, so that a richer selector language changes one class.
 */
public interface TopicMatcher {

    /** The selector that matches every topic. */
    String WILDCARD = "*";

    boolean matches(String selector, String topic);

    /** Whether the selector matches only itself, so that an index can look it up by equality. */
    boolean isExact(String selector);

    /** Whether the topic matches a subscription's matcher, whatever its type (see {@link Matcher}). */
    default boolean matches(Matcher matcher, String topic) {
        return switch (matcher.type()) {
            case SELECTOR -> matches(matcher.value(), topic);
            case EXACT -> matcher.isWildcard() || matcher.value().equals(topic);
        };
    }

    /** Whether the matcher matches only its own value, so that an index can look it up by equality. */
    default boolean isExact(Matcher matcher) {
        return switch (matcher.type()) {
            case SELECTOR -> isExact(matcher.value());
            case EXACT -> !matcher.isWildcard();
        };
    }

    /** Whether any topic matches any of a subscription's matchers. */
    default boolean anyTopicMatches(List<Matcher> matchers, Iterable<String> topics) {
        for (String topic : topics) {
            for (Matcher matcher : matchers) {
                if (matches(matcher, topic)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether every topic matches at least one of the matchers (a publisher's grants, say). */
    default boolean allTopicsMatch(List<Matcher> matchers, Iterable<String> topics) {
        for (String topic : topics) {
            boolean matched = false;
            for (Matcher matcher : matchers) {
                if (matches(matcher, topic)) {
                    matched = true;
                    break;
                }
            }
            if (!matched) {
                return false;
            }
        }
        return true;
    }
}
