package io.lifeline.hub;

import io.lifeline.subscriber.Subscriber;
import io.lifeline.topic.Matcher;
import io.lifeline.topic.TopicMatcher;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Which subscribers a topic reaches. Exact matchers (1.0 exact matchers, and draft-07 selectors that are not
 * templates) are found by lookup, {@code *} subscribers are always reached, and other matchers (templates) are
 * matched one by one. Safe for concurrent use: subscribers come and go while updates fan out.
 */
final class TopicIndex {

    private final TopicMatcher matcher;
    private final Map<String, Set<Subscriber>> exact = new ConcurrentHashMap<>();
    private final Map<Matcher, Set<Subscriber>> patterns = new ConcurrentHashMap<>();
    private final Set<Subscriber> everything = ConcurrentHashMap.newKeySet();

    TopicIndex(TopicMatcher matcher) {
        this.matcher = matcher;
    }

    void add(Subscriber subscriber) {
        for (Matcher m : subscriber.matchers()) {
            if (m.isWildcard()) {
                everything.add(subscriber);
            } else if (matcher.isExact(m)) {
                exact.compute(m.value(), (k, set) -> with(set, subscriber));
            } else {
                patterns.compute(m, (k, set) -> with(set, subscriber));
            }
        }
    }

    void remove(Subscriber subscriber) {
        for (Matcher m : subscriber.matchers()) {
            if (m.isWildcard()) {
                everything.remove(subscriber);
            } else if (matcher.isExact(m)) {
                exact.computeIfPresent(m.value(), (k, set) -> set.remove(subscriber) && set.isEmpty() ? null : set);
            } else {
                patterns.computeIfPresent(m, (k, set) -> set.remove(subscriber) && set.isEmpty() ? null : set);
            }
        }
    }

    private static Set<Subscriber> with(Set<Subscriber> set, Subscriber subscriber) {
        Set<Subscriber> s = set != null ? set : ConcurrentHashMap.newKeySet();
        s.add(subscriber);
        return s;
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
        for (Map.Entry<Matcher, Set<Subscriber>> e : patterns.entrySet()) {
            for (String topic : topics) {
                if (matcher.matches(e.getKey(), topic)) {
                    e.getValue().forEach(action);
                    break;
                }
            }
        }
    }

    /**
     * Whether some subscriber could receive an update on these topics: false only when no subscriber has {@code *},
     * none has a pattern, and none has one of the topics exactly.
     */
    boolean mayReach(List<String> topics) {
        if (!everything.isEmpty() || !patterns.isEmpty()) {
            return true;
        }
        for (String topic : topics) {
            if (exact.containsKey(topic)) {
                return true;
            }
        }
        return false;
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
