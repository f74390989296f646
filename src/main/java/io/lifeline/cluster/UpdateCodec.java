package io.lifeline.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lifeline.protocol.Update;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * An update as the body of a Redis stream entry: one JSON object with the fields of {@link Update}
 * ({@code id}, {@code topics}, {@code data}, and {@code type}, {@code retry}, {@code private} when set). Every node
 * of a cluster must run a version that reads what the others write; a field it does not know is ignored.
 */
final class UpdateCodec {

    private static final ObjectMapper JSON = new ObjectMapper();

    private UpdateCodec() {
    }

    static String encode(Update update) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", update.id());
        ArrayNode topics = o.putArray("topics");
        update.topics().forEach(topics::add);
        o.put("data", update.data());
        if (update.type() != null) {
            o.put("type", update.type());
        }
        if (update.retry().isPresent()) {
            o.put("retry", update.retry().getAsLong());
        }
        if (update.privateUpdate()) {
            o.put("private", true);
        }
        return o.toString();
    }

    /** @throws IllegalArgumentException when the body is not an update this version can read */
    static Update decode(String body) {
        try {
            JsonNode o = JSON.readTree(body);
            List<String> topics = new ArrayList<>();
            o.path("topics").forEach(t -> topics.add(t.asText()));
            JsonNode type = o.get("type");
            JsonNode retry = o.get("retry");
            return new Update(o.path("id").asText(), topics, o.path("data").asText(),
                    type == null ? null : type.asText(), retry == null ? OptionalLong.empty()
                    : OptionalLong.of(retry.asLong()), o.path("private").asBoolean(false));
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException("not an update: " + e.getMessage(), e);
        }
    }
}
