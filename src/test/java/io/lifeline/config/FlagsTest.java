package io.lifeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FlagsTest {

    @Test
    void flagsTakeTheirValueAfterASpaceOrAnEqualsSign() {
        Map<Setting, String> flags = Flags.parse("--port", "9000", "--jwt-key=abc=def", "--anonymous", "true");
        assertEquals("9000", flags.get(Setting.PORT));
        assertEquals("abc=def", flags.get(Setting.JWT_KEY));
        assertEquals("true", flags.get(Setting.ANONYMOUS));
    }

    @Test
    void anUnknownFlagStopsStartUpListingTheKnownOnes() {
        ConfigException e = assertThrows(ConfigException.class, () -> Flags.parse("--prot", "9000"));
        assertTrue(e.getMessage().contains("'--prot'") && e.getMessage().contains("--port"), e.getMessage());
    }

    @Test
    void aFlagWithoutValueOrGivenTwiceStopsStartUp() {
        assertThrows(ConfigException.class, () -> Flags.parse("--port"));
        assertThrows(ConfigException.class, () -> Flags.parse("--port", "1", "--port", "2"));
    }
}
