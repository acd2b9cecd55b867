package dev.cifarpipeline.trainer;

import dev.cifarpipeline.model.TrainingCheckpoint;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The run's latest checkpoint, looked up once, by whichever comes first: the consumer's first partition
 * assignment (which must seek before any batch is fetched) or the listener that restores the model.
 */
@ApplicationScoped
public class RunRecovery {
    private static final Logger LOG = Logger.getLogger(RunRecovery.class);

    private final Map<String, Object> kafka;
    private final String checkpointTopic;
    private final String runId;
    private Optional<TrainingCheckpoint> checkpoint;

    public RunRecovery(@Identifier("default-kafka-broker") Map<String, Object> kafka,
                       @ConfigProperty(name = "pipeline.topics.checkpoints") String checkpointTopic, TrainerConfig config) {
        this.kafka = kafka;
        this.checkpointTopic = checkpointTopic;
        this.runId = config.runId();
    }

    public synchronized Optional<TrainingCheckpoint> checkpoint() {
        if (checkpoint == null) {
            checkpoint = CheckpointRecovery.latest(kafka, checkpointTopic, runId, LOG::info);
        }
        return checkpoint;
    }
}
