package io.lifeline.subscriber;

import java.io.IOException;

/**
 * The response a subscriber writes to, in the Servlet API's non-blocking style: write only while
 * {@link #isReady()} is true; when it turns false the stream calls the subscriber's
 * {@link Subscriber#onWritable()} once the write has finished.
 */
public interface SseStream {

    boolean isReady();

    void write(byte[] bytes) throws IOException;

    void flush() throws IOException;

    /** Ends the response normally. Tolerates a container that has already ended it. */
    void complete();

    /** Closes the connection at once, without waiting for buffered bytes, then ends the response. */
    void abort();
}
