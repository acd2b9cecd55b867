package dev.cifarpipeline.trainer.cluster;

import dev.cifarpipeline.events.EvaluationResult;
import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.RunSpec;
import dev.cifarpipeline.events.TrainingEvent;
import dev.cifarpipeline.events.kafka.ConsumerLoop;
import dev.cifarpipeline.events.kafka.KafkaClients;
import dev.cifarpipeline.events.kafka.PipelineTopics;
import dev.cifarpipeline.events.sweep.SuccessiveHalving;
import dev.cifarpipeline.events.sweep.SweepDecider;
import dev.cifarpipeline.events.sweep.SweepValues;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Early stopping of sweeps (ASHA) on a trainer: reads the run specs, the training events and the evaluator's results
 * from their start, without a group, and feeds them to a {@link SweepDecider}. A result of a run this trainer trains,
 * at a rung of its sweep, is decided here; the run's own thread publishes the decision (RUNG_PASSED or RUNG_CUT, in
 * the run's transaction) and a cut run is checkpointed and STOPPED. A cut is also made durable as a stop request on the
 * run's spec ({@code stopRun}), so no trainer trains the run again after a restart, whatever happened in between.
 * What each rung passed and cut, by the events topic, and each sweep run's values, by the specs, are shown to
 * Prometheus ({@link SweepMeters}).
 */
public final class SweepSupervisor implements AutoCloseable {
    private final ConsumerLoop loop;

    public SweepSupervisor(
            Map<String, Object> kafka,
            PipelineTopics topics,
            String trainerId,
            TrainerRuns runs,
            Consumer<String> stopRun,
            SweepMeters meters,
            Consumer<String> log) {
        SweepDecider decider = new SweepDecider();
        SweepValues values = new SweepValues(SweepMeters.MAX_SWEEPS_SHOWN);
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, trainerId + "-sweeps");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, KafkaClients.ISOLATION);
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.loop = new ConsumerLoop(
                "sweep-supervisor",
                config,
                Duration.ofMillis(500),
                new ConsumerLoop.Body() {
                    /** The decider's {@code changes()} when its tallies were last shown. */
                    private long shown;
                    /** The values' {@code changes()} when they were last shown. */
                    private long valuesShown;

                    @Override
                    public void open(KafkaConsumer<String, byte[]> consumer) {
                        List<TopicPartition> partitions = new ArrayList<>();
                        for (String topic :
                                List.of(topics.runSpecs(), topics.trainingEvents(), topics.evaluationResults())) {
                            // the results topic is the evaluator's to create, and a trainer may start first: wait
                            boolean said = false;
                            while (true) {
                                try {
                                    partitions.addAll(KafkaClients.partitions(consumer, topic, Duration.ofSeconds(30)));
                                    break;
                                } catch (IllegalStateException e) {
                                    if (Thread.currentThread().isInterrupted()) {
                                        throw e; // closing
                                    }
                                    if (!said) {
                                        log.accept("sweep early stopping waits for topic " + topic + ": "
                                                + e.getMessage());
                                        said = true;
                                    }
                                }
                            }
                        }
                        consumer.assign(partitions);
                        consumer.seekToBeginning(partitions);
                    }

                    @Override
                    public void polled(
                            KafkaConsumer<String, byte[]> consumer, ConsumerRecords<String, byte[]> records) {
                        for (ConsumerRecord<String, byte[]> r : records) {
                            if (r.value() == null) {
                                continue;
                            }
                            try {
                                handle(r);
                            } catch (RecordFormatException | IllegalArgumentException e) {
                                // not this reader's to judge: each topic's own consumer dead-letters what it cannot
                                // read
                            }
                        }
                        if (decider.changes() != shown) {
                            shown = decider.changes();
                            meters.show(decider.tallies());
                        }
                        if (values.changes() != valuesShown) {
                            valuesShown = values.changes();
                            meters.showValues(values.values());
                        }
                    }

                    private void handle(ConsumerRecord<String, byte[]> r) {
                        if (r.topic().equals(topics.runSpecs())) {
                            RunSpec spec = RunSpec.fromJson(r.value());
                            decider.spec(spec);
                            values.spec(spec);
                        } else if (r.topic().equals(topics.trainingEvents())) {
                            TrainingEvent e = TrainingEvent.fromJson(r.value());
                            decider.event(e).ifPresent(cut -> {
                                // cut and published, yet the run trains on here (the trainer that cut it had died)
                                if (runs.rung(e.runId(), cut, true)) {
                                    stopRun.accept(e.runId());
                                }
                            });
                        } else {
                            EvaluationResult result = EvaluationResult.fromJson(r.value());
                            if (runs.trains(result.runId())) {
                                decider.result(result.runId(), result.epoch(), result.accuracy())
                                        .ifPresent(d -> decided(result.runId(), d));
                            }
                        }
                    }

                    private void decided(String run, SuccessiveHalving.Decision d) {
                        log.accept("run " + run + ": " + d.describe());
                        runs.rung(run, d, false);
                        if (d.stop()) {
                            stopRun.accept(run);
                        }
                    }
                },
                log);
    }

    public void start() {
        loop.start();
    }

    public boolean alive() {
        return loop.alive();
    }

    /** Why the loop stopped, in words; empty while it runs. */
    public String failure() {
        return loop.failure() == null ? "" : String.valueOf(loop.failure().getMessage());
    }

    @Override
    public void close() throws InterruptedException {
        loop.close();
    }
}
