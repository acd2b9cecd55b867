package dev.cifarpipeline.ingest.stream;

import dev.cifarpipeline.events.kafka.TopicSpec;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;

/**
 * The topics ingest writes, created at start if missing. Each has one partition: the training stream's order
 * is the epoch's shuffle, and exactly-once accounting per epoch relies on that order.
 */
public final class IngestTopics {
    private final String train;
    private final String test;
    private final String markers;

    public IngestTopics(String train, String test, String markers) {
        this.train = train;
        this.test = test;
        this.markers = markers;
    }

    public String train() {
        return train;
    }

    public String test() {
        return test;
    }

    public String markers() {
        return markers;
    }

    /** Creates whichever of the topics does not exist yet; returns the names it created. */
    public List<String> ensure(Admin admin) throws InterruptedException {
        return TopicSpec.ensure(admin, List.of(TopicSpec.stream(train), TopicSpec.stream(test), TopicSpec.stream(markers)));
    }
}
