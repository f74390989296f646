package io.lifeline.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses a text/event-stream body the way EventSource does, for assertions. */
public final class SseEvents {

    /** One dispatched event: its fields, data lines joined by LF. */
    public record Event(String id, String type, String data, String retry) {
    }

    private SseEvents() {
    }

    /** The events of a body, comments and field-less blocks dropped. */
    public static List<Event> parse(String body) {
        List<Event> events = new ArrayList<>();
        for (String block : body.split("\n\n", -1)) {
            Map<String, String> fields = new LinkedHashMap<>();
            StringBuilder data = null;
            for (String line : block.split("\n")) {
                if (line.isEmpty() || line.startsWith(":")) {
                    continue;
                }
                int colon = line.indexOf(':');
                String name = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) {
                    value = value.substring(1);
                }
                if (name.equals("data")) {
                    data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                } else {
                    fields.put(name, value);
                }
            }
            if (data != null || fields.containsKey("retry")) {
                events.add(new Event(fields.get("id"), fields.get("event"), data == null ? null : data.toString(),
                        fields.get("retry")));
            }
        }
        return events;
    }

    /** The ids of the events carrying data, in order. */
    public static List<String> ids(String body) {
        return parse(body).stream().filter(e -> e.data() != null).map(Event::id).toList();
    }
}
