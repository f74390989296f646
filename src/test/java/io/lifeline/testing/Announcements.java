package io.lifeline.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The draft-07 subscription events (JSON-LD, {@code active} true or false) a watcher's stream has read so far. */
public final class Announcements {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Announcements() {
    }

    /** The {@code active} flags of the events about one subscriber, in order. */
    public static List<Boolean> of(String body, String subscriber) {
        List<Boolean> flags = new ArrayList<>();
        for (JsonNode event : events(body)) {
            if (subscriber.equals(event.path("subscriber").asText())) {
                flags.add(event.get("active").asBoolean());
            }
        }
        return flags;
    }

    /** The subscriber of the first start the body announces, or null before any. */
    public static String firstStarted(String body) {
        for (JsonNode event : events(body)) {
            if (event.path("active").asBoolean(false)) {
                return event.get("subscriber").asText();
            }
        }
        return null;
    }

    /** How many starts the body announces. */
    public static long starts(String body) {
        return events(body).stream().filter(e -> e.path("active").asBoolean(false)).count();
    }

    /** The hub's events among the body's whole blocks (a block cut by the end of what was read is left out). */
    private static List<JsonNode> events(String body) {
        List<JsonNode> events = new ArrayList<>();
        for (SseEvents.Event e : SseEvents.parse(body.substring(0, body.lastIndexOf("\n\n") + 2))) {
            if (e.data() == null) {
                continue;
            }
            try {
                JsonNode event = JSON.readTree(e.data());
                if (event.has("subscriber") && event.has("active")) {
                    events.add(event);
                }
            } catch (IOException notJson) {
                // a publisher's update
            }
        }
        return events;
    }
}
