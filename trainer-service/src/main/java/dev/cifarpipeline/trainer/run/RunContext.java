package dev.cifarpipeline.trainer.run;

import dev.cifarpipeline.events.kafka.PipelineTopics;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What every run on a trainer shares: the broker settings, the topics it reads, where it writes, and how it
 * reports.
 *
 * @param kafka           client settings for the broker (every {@code kafka.*} key of the service)
 * @param topics          the batch stream it reads (as consumer group {@code runGroupPrefix + runId}), the checkpoints
 *                        it publishes and recovers from
 * @param chunkBytes      bytes per checkpoint chunk record
 * @param sessionTimeout  how long the broker waits before giving a silent (killed) trainer's partitions to another
 * @param trainerId       this trainer's name, in events and logs
 * @param outputs         checkpoints, events and dead letters
 * @param progress        the terminal's progress bar, or one that shows nothing
 * @param log             plain progress lines (the seed's loss lines, checkpoints, resumes)
 */
public record RunContext(
        Map<String, Object> kafka,
        PipelineTopics topics,
        int chunkBytes,
        Duration sessionTimeout,
        String trainerId,
        TrainerOutputs outputs,
        ProgressBar progress,
        Consumer<String> log) {}
