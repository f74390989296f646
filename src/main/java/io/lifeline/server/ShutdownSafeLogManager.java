package io.lifeline.server;

import java.util.logging.LogManager;

/**
 * The embedded program's {@link LogManager}: it keeps logging while the program stops.
 *
 * <p>The JDK's log manager resets itself in a shutdown hook of its own, running beside Lifeline's: the lines that
 * record each subscriber ending {@code server-shutdown} would be lost. This one ignores a reset while the JVM is
 * shutting down; Lifeline's hook flushes and closes the handlers itself once the server has stopped.</p>
 */
public final class ShutdownSafeLogManager extends LogManager {

    @Override
    public void reset() {
        if (!shuttingDown()) {
            super.reset();
        }
    }

    /** Flushes and closes every handler; called last by the program's own shutdown hook. */
    void resetAfterShutdown() {
        super.reset();
    }

    private static boolean shuttingDown() {
        try {
            Thread probe = new Thread(() -> { });
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }
}
