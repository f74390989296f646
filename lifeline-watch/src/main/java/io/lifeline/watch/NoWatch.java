package io.lifeline.watch;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The fallback for connections no container hook can see: nothing is watched. Heartbeat writes still notice a reset
 * connection (about one heartbeat later) and a closed one (about two), but a client behind a proxy that half-closes
 * and keeps accepting bytes is never noticed this way.
 */
public final class NoWatch implements DepartureWatch {

    public static final String KIND = "none";

    private static final Handle NOTHING = Handle.abortOnly(() -> { });

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Handle prepare(HttpServletRequest request, DepartureListener listener) {
        return NOTHING;
    }
}
