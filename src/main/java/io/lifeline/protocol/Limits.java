package io.lifeline.protocol;

/**
 * Bounds on what one request may ask for. The protocol lets a hub set them; these keep the work a single request
 * can cause (matching, memory per subscriber) small and predictable.
 */
public final class Limits {

    /** {@code topic} parameters of one subscription or one update; {@code match} parameters of a 1.0 subscription. */
    public static final int MAX_TOPICS = 100;

    /** Characters of one topic, topic selector or 1.0 matcher. */
    public static final int MAX_TOPIC_LENGTH = 2048;

    /** Characters of an update's {@code id} or {@code type}. */
    public static final int MAX_FIELD_LENGTH = 1024;

    /**
     * Bytes of a subscription's parameters sent in a request body (Mercure 1.0, section "Subscription": a
     * {@code QUERY} request): room for {@link #MAX_TOPICS} matchers of {@link #MAX_TOPIC_LENGTH} characters and a
     * last event ID of {@link #MAX_FIELD_LENGTH}, every character percent-encoded from three UTF-8 bytes (nine bytes
     * each), with their names. About 1.8 MB.
     */
    public static final int MAX_SUBSCRIPTION_BODY_BYTES = MAX_TOPICS * (9 * MAX_TOPIC_LENGTH + 32)
            + 9 * MAX_FIELD_LENGTH + 32;

    private Limits() {
    }

    /** Checks the {@code topic} values of a request. */
    public static void checkTopics(java.util.List<String> topics) throws ProtocolException {
        if (topics.isEmpty()) {
            throw ProtocolException.badRequest("missing \"topic\" parameter");
        }
        if (topics.size() > MAX_TOPICS) {
            throw ProtocolException.badRequest("too many \"topic\" parameters: " + topics.size() + " (at most "
                    + MAX_TOPICS + ")");
        }
        for (String topic : topics) {
            if (topic.isEmpty()) {
                throw ProtocolException.badRequest("a \"topic\" parameter is empty");
            }
            if (topic.length() > MAX_TOPIC_LENGTH) {
                throw ProtocolException.badRequest("a \"topic\" parameter is longer than " + MAX_TOPIC_LENGTH
                        + " characters");
            }
        }
    }
}
