package io.lifeline.hub;

import io.lifeline.topic.TopicMatcher;
import io.lifeline.subscriber.Subscriber;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Which subscribers a topic reaches. Exact selectors are found by lookup, {@code *} subscribers are always reached,
 * and other selectors (templates) are matched one by one. Safe for concurrent use: subscribers come and go while
 * updates fan out.
 */
final class TopicIndex {

    private final TopicMatcher matcher;
    private final Map<String, Set<Subscriber>> exact = new ConcurrentHashMap<>();
    private final Map<String, Set<Subscriber>> patterns = new ConcurrentHashMap<>();
    private final Set<Subscriber> everything = ConcurrentHashMap.newKeySet();

    TopicIndex(TopicMatcher matcher) {
        this.matcher = matcher;
    }

    void add(Subscriber subscriber) {
        for (String selector : subscriber.topics()) {
            if (TopicMatcher.WILDCARD.equals(selector)) {
                everything.add(subscriber);
            } else {
                Map<String, Set<Subscriber>> map = matcher.isExact(selector) ? exact : patterns;
                map.compute(selector, (k, set) -> {
                    Set<Subscriber> s = set != null ? set : ConcurrentHashMap.newKeySet();
                    s.add(subscriber);
                    return s;
                });
            }
        }
    }

    void remove(Subscriber subscriber) {
        for (String selector : subscriber.topics()) {
            if (TopicMatcher.WILDCARD.equals(selector)) {
                everything.remove(subscriber);
            } else {
                Map<String, Set<Subscriber>> map = matcher.isExact(selector) ? exact : patterns;
                map.computeIfPresent(selector, (k, set) -> set.remove(subscriber) && set.isEmpty() ? null : set);
            }
        }
    }

    /**
     * Calls {@code action} for every subscriber with a selector matching one of the topics; a subscriber matched
     * through several selectors may be called more than once.
     */
    void forEachMatch(List<String> topics, Consumer<Subscriber> action) {
        everything.forEach(action);
        for (String topic : topics) {
            Set<Subscriber> set = exact.get(topic);
            if (set != null) {
                set.forEach(action);
            }
        }
        for (Map.Entry<String, Set<Subscriber>> e : patterns.entrySet()) {
            for (String topic : topics) {
                if (matcher.matches(e.getKey(), topic)) {
                    e.getValue().forEach(action);
                    break;
                }
            }
        }
    }

    /** Whether the subscriber is anywhere in the index. */
    boolean contains(Subscriber subscriber) {
        if (everything.contains(subscriber)) {
            return true;
        }
        for (Set<Subscriber> set : exact.values()) {
            if (set.contains(subscriber)) {
                return true;
            }
        }
        for (Set<Subscriber> set : patterns.values()) {
            if (set.contains(subscriber)) {
                return true;
            }
        }
        return false;
    }
}
