package io.lifeline.spring;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.spring.RunningApp.Container;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A bad value of the starter's properties stops the application's start-up, naming the property. */
class StarterPropertiesTest {

    @Test
    void aTcpUserTimeoutThatIsNegativeOrFinerThanAMillisecondStopsStartUpNamingTheProperty() {
        for (String bad : List.of("-5s", "1500us")) {
            RuntimeException e = assertThrows(RuntimeException.class,
                    () -> RunningApp.emitters(Container.TOMCAT, "lifeline.watch.tcp-user-timeout=" + bad).close());
            String messages = messages(e);
            assertTrue(messages.contains("lifeline.watch.tcp-user-timeout"), messages);
            assertTrue(messages.contains("whole number of milliseconds"), messages);
        }
    }

    private static String messages(Throwable failure) {
        List<String> all = new ArrayList<>();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.add(String.valueOf(t.getMessage()));
        }
        return String.join(" / ", all);
    }
}
