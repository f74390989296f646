package io.lifeline.watch;

import jakarta.servlet.ServletContext;

/**
 * Runs the hub's drain when the container starts stopping, while its connections are still open.
 *
 * <p>A web app hears {@code contextDestroyed} too late for that: Jetty has closed its connections by then, and
 * Tomcat, once it pauses its connectors, times out every async request. Each container has an earlier moment of its
 * own, reachable only through its internals; one implementation per container package.</p>
 */
public interface StopHook {

    /**
     * Makes the container run {@code drain} when it starts stopping, and return from its stop only after.
     *
     * @return removes the hook
     * @throws ReflectiveOperationException where this container's internals are not there
     */
    AutoCloseable install(ServletContext context, Runnable drain) throws ReflectiveOperationException;
}
