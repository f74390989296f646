package io.lifeline.topic;

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

    /** Whether any topic matches any selector. */
    default boolean anyMatches(Iterable<String> selectors, Iterable<String> topics) {
        for (String topic : topics) {
            for (String selector : selectors) {
                if (matches(selector, topic)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether every topic matches at least one selector. */
    default boolean allMatch(Iterable<String> selectors, Iterable<String> topics) {
        for (String topic : topics) {
            boolean matched = false;
            for (String selector : selectors) {
                if (matches(selector, topic)) {
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
