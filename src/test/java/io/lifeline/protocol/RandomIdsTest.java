package io.lifeline.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RandomIdsTest {

    @Test
    void anIdIsAVersionFourUuidUrnAndNoTwoAreAlike() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = RandomIds.urn();
            assertTrue(id.startsWith("urn:uuid:"), id);
            UUID uuid = UUID.fromString(id.substring("urn:uuid:".length()));
            assertEquals(4, uuid.version(), id);
            assertEquals(2, uuid.variant(), id);
            assertTrue(seen.add(id), "repeated: " + id);
        }
    }
}
