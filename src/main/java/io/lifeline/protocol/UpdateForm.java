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
 */
public final class UpdateForm {

    /** Topics containing this are the hub's own (subscription events); publishers may not forge them. */
    public static final String RESERVED_TOPIC_PART = "/.well-known/mercure";

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

    public static Update read(FormBody form) throws ProtocolException {
        List<String> topics = form.all("topic");
        Limits.checkTopics(topics);
        for (String topic : topics) {
            if (topic.contains(RESERVED_TOPIC_PART)) {
                throw ProtocolException.forbidden("topic \"" + topic + "\" is in the hub's reserved namespace "
                        + RESERVED_TOPIC_PART);
            }
        }

        String id = form.first("id");
        if (id == null || id.isEmpty()) {
            id = RandomIds.urn();
        } else {
            checkField("id", id);
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
            checkField("type", type);
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

    private static void checkField(String name, String value) throws ProtocolException {
        if (value.length() > Limits.MAX_FIELD_LENGTH) {
            throw ProtocolException.badRequest("\"" + name + "\" is longer than " + Limits.MAX_FIELD_LENGTH
                    + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == '\0') {
                throw ProtocolException.badRequest("\"" + name + "\" must not contain CR, LF or NUL");
            }
        }
    }
}
