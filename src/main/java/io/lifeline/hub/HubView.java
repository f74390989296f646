package io.lifeline.hub;

/**
 * What shows the hub from the inside (the live view): made by the hub's wiring once the hub can serve it, since it
 * runs on the hub's timer and writers; told of every subscriber's start and end right after the metrics; closed
 * after the drain and before the transport, while the timer and writers it runs on still run.
 */
public interface HubView extends SubscriberObserver, AutoCloseable {

    /** A hub that nobody views: told nothing worth keeping, closes at once. */
    HubView NONE = new HubView() {
        @Override
        public void started(io.lifeline.subscriber.Subscriber subscriber, String lastEventId) {
        }

        @Override
        public void ended(io.lifeline.subscriber.Subscriber subscriber, io.lifeline.subscriber.EndReason reason,
                          long detectedNanos, long releasedNanos) {
        }

        @Override
        public void close() {
        }

        @Override
        public String toString() {
            return "no view";
        }
    };

    @Override
    void close();
}
