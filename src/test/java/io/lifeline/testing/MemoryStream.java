package io.lifeline.testing;

import io.lifeline.subscriber.SseStream;
import java.util.function.Consumer;

/** A subscriber's response in memory: always ready, each write handed to {@code written}; nothing to flush or end. */
public record MemoryStream(Consumer<byte[]> written) implements SseStream {

    @Override
    public boolean isReady() {
        return true;
    }

    @Override
    public void write(byte[] bytes) {
        written.accept(bytes);
    }

    @Override
    public void flush() {
    }

    @Override
    public void complete() {
    }

    @Override
    public void abort() {
    }
}
