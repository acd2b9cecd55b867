package dev.cifarpipeline.trainer.cluster;

import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.RunSpec;
import dev.cifarpipeline.events.TrainingEvent;
import dev.cifarpipeline.events.kafka.TopicReader;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every run the cluster knows, read from Kafka (trainers keep no state of their own): the specs with the
 * partition each lives in, and each run's latest event. Specs that do not parse are left out here; the trainer
 * that owns their partition dead-letters them.
 */
public final class RunDirectory {
    /** A known run: its spec, the run-spec partition that decides its trainer, and its latest event (null if none). */
    public record Entry(RunSpec spec, int partition, TrainingEvent latestEvent) {
        public boolean terminal() {
            return latestEvent != null && latestEvent.terminal();
        }
    }

    private final Map<String, Entry> runs;

    private RunDirectory(Map<String, Entry> runs) {
        this.runs = runs;
    }

    public static RunDirectory read(Map<String, Object> kafka, String specTopic, String eventTopic, String clientId) {
        Map<String, Entry> runs = new LinkedHashMap<>();
        TopicReader.forEach(kafka, specTopic, clientId + "-specs", r -> {
            if (r.value() == null) {
                runs.remove(r.key()); // a tombstone: the run was deleted
                return;
            }
            try {
                RunSpec spec = RunSpec.fromJson(r.value());
                runs.put(spec.runId(), new Entry(spec, r.partition(), null));
            } catch (RecordFormatException e) {
                // not a run; its owner dead-letters it
            }
        });
        TopicReader.forEach(kafka, eventTopic, clientId + "-events", r -> {
            Entry e = r.key() == null ? null : runs.get(r.key());
            if (e == null) {
                return;
            }
            try {
                runs.put(r.key(), new Entry(e.spec(), e.partition(), TrainingEvent.fromJson(r.value())));
            } catch (RecordFormatException ignored) {
                // an unreadable event says nothing about the run
            }
        });
        return new RunDirectory(runs);
    }

    public Map<String, Entry> runs() {
        return runs;
    }

    /** Runs per run-spec partition that are not over: the load a trainer owning that partition carries. */
    public Map<Integer, Integer> activeRunsByPartition() {
        Map<Integer, Integer> out = new LinkedHashMap<>();
        runs.values().stream().filter(e -> !e.terminal()).forEach(e -> out.merge(e.partition(), 1, Integer::sum));
        return out;
    }
}
