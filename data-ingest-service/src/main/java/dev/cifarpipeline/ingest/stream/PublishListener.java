package dev.cifarpipeline.ingest.stream;

/** What {@link StreamPublisher} reports as it goes; metrics and status implement it. */
public interface PublishListener {
    void published(PublishedBatch batch, long latencyNanos);

    void epochStarted(int epoch);

    void lead(int epochsAhead, boolean waiting);

    void state(String state);
}
