package dev.cifarpipeline.ingest;

import dev.cifarpipeline.events.AugmentedBatch;

/** What {@link StreamPublisher} reports as it goes; metrics and status implement it. */
public interface PublishListener {
    void published(AugmentedBatch batch, int bytes, long latencyNanos);

    void epochStarted(int epoch);

    void lead(int epochsAhead, boolean waiting);

    void state(String state);
}
