package io.lifeline.spring;

import io.lifeline.watch.servlet.DepartureFilter;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The starter's settings, under {@code lifeline.watch}.
 */
@ConfigurationProperties("lifeline.watch")
public class LifelineWatchProperties {

    /** Whether the departure watch is registered; {@code false} leaves the application as it was without it. */
    private boolean enabled = true;

    /**
     * The TCP user timeout set on every watched connection: bytes sent to a client that stay unacknowledged for this
     * long make the kernel abort the connection, and the client ends {@code client-timeout} (Linux
     * {@code TCP_USER_TIMEOUT}, RFC 5482). {@code 0s} sets none. It needs the JVM to export {@code sun.nio.ch} to the
     * application ({@code Add-Exports} in an executable jar's manifest, or the JVM flag).
     */
    private Duration tcpUserTimeout = DepartureFilter.DEFAULT_TCP_USER_TIMEOUT;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Duration getTcpUserTimeout() {
        return tcpUserTimeout;
    }

    /** @throws IllegalArgumentException when it is negative or not a whole number of milliseconds */
    public void setTcpUserTimeout(Duration tcpUserTimeout) {
        if (tcpUserTimeout.isNegative() || !tcpUserTimeout.equals(Duration.ofMillis(tcpUserTimeout.toMillis()))) {
            throw new IllegalArgumentException("lifeline.watch.tcp-user-timeout is " + tcpUserTimeout + ": it takes "
                    + "a whole number of milliseconds, 0s for none");
        }
        this.tcpUserTimeout = tcpUserTimeout;
    }
}
