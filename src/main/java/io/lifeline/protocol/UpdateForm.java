package io.lifeline.protocol;

import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Reads an update from a publish request's form fields ({@code topic}, {@code data}, {@code id}, {@code type},
 * {@code retry}, {@code private}) and refuses anything that could corrupt a subscriber's stream.
 *
 * <p>{@code id} and {@code type} are copied into SSE field lines: a CR, LF or NUL in them would end the line and let
 * a publisher forge fields or whole events in every subscriber's stream, so they are refused, not escaped.</p>
 *
 * <p>For every publisher, whichever its token's dialect: a topic in the hub's reserved namespace
 * ({@link HubNamespace}) and the type {@code mercure} are 400, since either would let it forge the hub's subscription
 * events; more than {@value Limits#MAX_TOPICS} topics, a topic longer than {@value Limits#MAX_TOPIC_LENGTH} or an
 * {@code id} or {@code type} longer than {@value Limits#MAX_FIELD_LENGTH} characters are 413 (Mercure 1.0, section
 * "Publication"). A Mercure 1.0 publisher is also held to 1.0's rules on values ({@link Rules#MERCURE_1_0}).</p>
 */
public final class UpdateForm {

    /** Which dialect's rules on field values a publish follows: its token's. */
    public enum Rules {
        /** Draft-07: topics are any string; {@code id} and {@code type} hold no CR, LF or NUL. */
        DRAFT_07,
        /**
         * Mercure 1.0: topics, {@code id} and {@code type} hold no C0 or C1 control character, no U+007F and no
         * format character (sections "Terminology" and "Publication"); a topic is never exactly {@code *}, the
         * wildcard.
         */
        MERCURE_1_0
    }

    /** The reserved {@code Last-Event-ID} that asks for everything the history holds. */
    public static final String EARLIEST = "earliest";

    /**
     * Ids the hub makes itself start with this (the positions it hands clients to resume from); a publisher's id may
     * not, in any case (a URN's namespace is case-insensitive, RFC 8141), so that no update can pass for one.
     */
    public static final String RESERVED_ID_PREFIX = "urn:lifeline:";

    private static final Pattern RETRY = Pattern.compile("\\d{1,10}");

    private UpdateForm() {
    }

    /** Reads an update under draft-07's rules on values. */
    public static Update read(FormBody form) throws ProtocolException {
        return read(form, Rules.DRAFT_07);
    }

    /**
     * @throws ProtocolException 400 for a field that breaks a rule, 413 for a request over the limits
     */
    public static Update read(FormBody form, Rules rules) throws ProtocolException {
        List<String> topics = form.all("topic");
        if (topics.isEmpty()) {
            throw ProtocolException.badRequest("missing \"topic\" parameter");
        }
        if (topics.size() > Limits.MAX_TOPICS) {
            throw tooLarge("too many \"topic\" parameters: " + topics.size() + " (at most " + Limits.MAX_TOPICS + ")");
        }
        for (String topic : topics) {
            if (topic.isEmpty()) {
                throw ProtocolException.badRequest("a \"topic\" parameter is empty");
            }
            if (topic.length() > Limits.MAX_TOPIC_LENGTH) {
                throw tooLarge("a \"topic\" parameter is longer than " + Limits.MAX_TOPIC_LENGTH + " characters");
            }
            if (rules == Rules.MERCURE_1_0) {
                checkValue("topic", topic);
                if (topic.equals("*")) {
                    throw ProtocolException.badRequest("a \"topic\" is exactly \"*\", the wildcard matcher, which no "
                            + "topic may be");
                }
            }
            if (HubNamespace.addresses(topic)) {
                throw ProtocolException.badRequest("topic \"" + topic + "\" addresses the hub's reserved namespace "
                        + HubNamespace.HUB_PATH + " (once resolved against the hub's URL), where only the hub "
                        + "publishes");
            }
        }

        String id = form.first("id");
        if (id == null || id.isEmpty()) {
            id = RandomIds.urn();
        } else {
            checkField("id", id, rules);
            if (id.startsWith("#")) {
                throw ProtocolException.badRequest("\"id\" must not start with '#'");
            }
            if (id.equals(EARLIEST)) {
                throw ProtocolException.badRequest("\"id\" must not be \"earliest\", the protocol's name for the "
                        + "start of the history");
            }
            if (id.regionMatches(true, 0, RESERVED_ID_PREFIX, 0, RESERVED_ID_PREFIX.length())) {
                throw ProtocolException.badRequest("\"id\" must not start with " + RESERVED_ID_PREFIX
                        + ": such ids are the hub's own resume positions");
            }
        }

        String type = form.first("type");
        if (type != null && type.isEmpty()) {
            type = null;
        }
        if (type != null) {
            checkField("type", type, rules);
            if (type.equals(Update.HUB_EVENT_TYPE)) {
                throw ProtocolException.badRequest("\"type\" must not be " + Update.HUB_EVENT_TYPE + ": that event "
                        + "type is the hub's own, for its subscription events, so that no publisher can forge one");
            }
        }

        OptionalLong retry = OptionalLong.empty();
        String retryValue = form.first("retry");
        if (retryValue != null && !retryValue.isEmpty()) {
            if (!RETRY.matcher(retryValue).matches()) {
                throw ProtocolException.badRequest("\"retry\" must be a number of milliseconds (digits only)");
            }
            retry = OptionalLong.of(Long.parseLong(retryValue));
        }

        String data = form.first("data");
        return new Update(id, topics, data == null ? "" : data, type, retry, form.has("private"));
    }

    private static void checkField(String name, String value, Rules rules) throws ProtocolException {
        if (value.length() > Limits.MAX_FIELD_LENGTH) {
            throw tooLarge("\"" + name + "\" is longer than " + Limits.MAX_FIELD_LENGTH + " characters");
        }
        if (rules == Rules.MERCURE_1_0) {
            checkValue(name, value);
        }
        if (!EventStream.canBeId(value)) { // an id's rule, and a type's too: both are one line of a frame
            throw ProtocolException.badRequest("\"" + name + "\" must not contain CR, LF or NUL");
        }
    }

    /** Mercure 1.0's rule on topics, ids and types ({@link Characters}). */
    private static void checkValue(String name, String value) throws ProtocolException {
        String problem = Characters.forbiddenIn(value);
        if (problem != null) {
            throw ProtocolException.badRequest((name.equals("topic") ? "a \"topic\" " : "\"" + name + "\" ") + problem);
        }
    }

    private static ProtocolException tooLarge(String reason) {
        return new ProtocolException(413, reason);
    }
}
