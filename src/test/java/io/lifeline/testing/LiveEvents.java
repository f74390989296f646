package io.lifeline.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** The live view's events ({@code snapshot}, {@code tick}, {@code demonstration}) a viewer has read so far. */
public final class LiveEvents {

    private static final ObjectMapper JSON = new ObjectMapper();

    private LiveEvents() {
    }

    /** The JSON data of every complete event of this type read so far. */
    public static List<JsonNode> of(RawSseClient viewer, String type) {
        List<JsonNode> found = new ArrayList<>();
        String body = viewer.body();
        for (SseEvents.Event event : SseEvents.parse(body.substring(0, body.lastIndexOf("\n\n") + 2))) {
            if (type.equals(event.type())) {
                try {
                    found.add(JSON.readTree(event.data()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return found;
    }
}
