package io.lifeline.protocol.draft07;

import io.lifeline.protocol.FormBody;
import io.lifeline.protocol.Limits;
import io.lifeline.protocol.ProtocolException;
import io.lifeline.topic.Matcher;
import java.util.List;

/**
 * The topic selectors of a draft-07 subscription request (draft-dunglas-mercure-07, section "Subscription"): every
 * {@code topic} parameter is one selector, an exact topic, a URI template (RFC 6570) or {@code *}, in the order sent.
 * At most {@value Limits#MAX_TOPICS} of at most {@value Limits#MAX_TOPIC_LENGTH} characters each; an empty one, too
 * many or too long a one is a 400 with its reason.
 */
public final class TopicParameters {

    /** The parameter naming one topic selector. */
    public static final String TOPIC = "topic";

    private TopicParameters() {
    }

    /** Whether a request names topic selectors at all. */
    public static boolean anyIn(FormBody query) {
        return query.has(TOPIC);
    }

    /**
     * The request's selectors, as {@link Matcher.Type#SELECTOR} matchers.
     *
     * @throws ProtocolException 400 for none, an empty one, too many or too long a one
     */
    public static List<Matcher> parse(FormBody query) throws ProtocolException {
        List<String> topics = query.all(TOPIC);
        if (topics.isEmpty()) {
            throw ProtocolException.badRequest("missing \"topic\" parameter (draft-07), or \"match\" (Mercure 1.0)");
        }
        Limits.checkTopics(topics);
        return Matcher.selectors(topics);
    }
}
