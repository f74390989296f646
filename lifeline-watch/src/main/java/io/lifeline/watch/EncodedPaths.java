package io.lifeline.watch;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;

/**
 * An optional ability of a {@link DepartureWatch}: telling which percent-encoded characters the container refuses in
 * a request's path, with its own {@code 400}, before any servlet sees the request. A watch that reaches the
 * container's connector can read it; the application decides whether that matters to it.
 */
public interface EncodedPaths {

    /**
     * The percent-encoded characters ({@code %2F}, {@code %5C}) the connector of this request refuses in paths, each
     * with the connector setting that decides it (Tomcat's {@code encodedSolidusHandling},
     * {@code encodedReverseSolidusHandling}); empty when it refuses none, or when the request is not this
     * container's.
     */
    Map<String, String> refusedInPaths(HttpServletRequest request);
}
