package io.lifeline.hub;

import io.lifeline.subscriber.EndReason;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.topic.Matcher;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one INFO line written when a subscriber starts and the one written when it ends, on the logger
 * {@value Subscriber#LIFECYCLE_LOG}, so that the two can be matched by the subscriber's id. Their shape is in
 * {@code docs/logs-and-metrics.md}; operators parse them, so it does not change.
 */
final class SubscriberLog implements SubscriberObserver {

    private static final Logger ENDS = LoggerFactory.getLogger(Subscriber.LIFECYCLE_LOG);

    @Override
    public void started(Subscriber subscriber, String lastEventId) {
        ENDS.info("subscriber {} started topics={} watch={} remote={} client={}{}", subscriber.id(),
                printable(displayed(subscriber.matchers())), subscriber.watchKind(), subscriber.remote(),
                subscriber.clientAddress(), lastEventId == null ? "" : " lastEventId=" + printable(List.of(lastEventId)));
    }

    @Override
    public void ended(Subscriber subscriber, EndReason reason, long detectedNanos, long releasedNanos) {
        ENDS.info("subscriber {} ended reason={} topics={} watch={} duration={}ms updates={} bytes={} release={}us "
                + "remote={}", subscriber.id(), reason.label(), printable(displayed(subscriber.matchers())),
                subscriber.watchKind(), subscriber.age().toMillis(), subscriber.updatesSent(), subscriber.bytesSent(),
                (releasedNanos - detectedNanos) / 1000, subscriber.remote());
    }

    @Override
    public String toString() {
        return "the subscribers' log";
    }

    /**
     * Topics and ids as a log shows them: a client chooses them, so control characters (a line break would forge a
     * log line) are written as {@code \\uXXXX}.
     */
    static String printable(List<String> values) {
        StringBuilder sb = new StringBuilder().append('[');
        for (String value : values) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            value.chars().forEach(c -> {
                if (Character.isISOControl(c)) {
                    sb.append(String.format("\\u%04x", c));
                } else {
                    sb.append((char) c);
                }
            });
        }
        return sb.append(']').toString();
    }

    private static List<String> displayed(List<Matcher> matchers) {
        List<String> shown = new ArrayList<>(matchers.size());
        for (Matcher m : matchers) {
            shown.add(m.display());
        }
        return shown;
    }
}
