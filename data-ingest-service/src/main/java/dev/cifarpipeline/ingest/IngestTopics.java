package dev.cifarpipeline.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The topics ingest writes, created at start if missing. Each has one partition: the training stream's order
 * is the epoch's shuffle, and exactly-once accounting per epoch relies on that order.
 */
public final class IngestTopics {
    /** Room for a batch of 256 images (787 KB) and then some. */
    public static final int MAX_MESSAGE_BYTES = 2 * 1024 * 1024;

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
        Set<String> existing;
        try {
            existing = admin.listTopics().names().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list the broker's topics: " + e.getCause(), e.getCause());
        }
        List<NewTopic> missing = new ArrayList<>();
        for (String name : List.of(train, test, markers)) {
            if (!existing.contains(name)) {
                missing.add(new NewTopic(name, 1, (short) -1).configs(Map.of("max.message.bytes", String.valueOf(MAX_MESSAGE_BYTES))));
            }
        }
        List<String> created = new ArrayList<>();
        for (NewTopic topic : missing) {
            try {
                admin.createTopics(List.of(topic)).all().get();
                created.add(topic.name());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) { // created meanwhile by someone else: fine
                    throw new IllegalStateException("cannot create topic " + topic.name() + ": " + e.getCause(), e.getCause());
                }
            }
        }
        return created;
    }
}
