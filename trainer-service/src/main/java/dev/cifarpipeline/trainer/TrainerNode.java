package dev.cifarpipeline.trainer;

import dev.cifarpipeline.events.RunSpec;
import dev.cifarpipeline.events.access.ApiAccess;
import dev.cifarpipeline.events.kafka.GroupMembership;
import dev.cifarpipeline.events.kafka.KafkaClients;
import dev.cifarpipeline.events.kafka.PipelineTopics;
import dev.cifarpipeline.events.kafka.TopicSpec;
import dev.cifarpipeline.events.sweep.SweepSpec;
import dev.cifarpipeline.trainer.cluster.RunClaims;
import dev.cifarpipeline.trainer.cluster.RunDirectory;
import dev.cifarpipeline.trainer.cluster.RunSubmitter;
import dev.cifarpipeline.trainer.cluster.SweepMeters;
import dev.cifarpipeline.trainer.cluster.SweepSupervisor;
import dev.cifarpipeline.trainer.cluster.TrainerRuns;
import dev.cifarpipeline.trainer.run.ProgressBar;
import dev.cifarpipeline.trainer.run.RunContext;
import dev.cifarpipeline.trainer.run.RunMeters;
import dev.cifarpipeline.trainer.run.RunWorker;
import dev.cifarpipeline.trainer.run.TrainerOutputs;
import dev.cifarpipeline.trainer.training.SweepLimits;
import dev.cifarpipeline.trainer.training.TrainingDevice;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * The trainer's lifecycle: validates its configuration, makes sure the run-spec topic exists, joins the
 * trainers' group and trains whatever runs the group gives it ({@link RunClaims}, {@link TrainerRuns}); on
 * shutdown it checkpoints its runs and leaves the group so that the other trainers carry them on at once.
 */
@ApplicationScoped
public class TrainerNode {
    private static final Logger LOG = Logger.getLogger(TrainerNode.class);

    private final TrainerConfig config;
    private final MeterRegistry registry;
    private final Map<String, Object> kafka;
    private final PipelineTopics topics;
    private final String trainerId;
    private final Config settings;
    private ApiAccess apiAccess = ApiAccess.closed();
    private TrainerOutputs outputs;
    private Admin admin;
    private TrainerRuns runs;
    private RunClaims claims;
    private SweepSupervisor sweeps;
    private RunSubmitter submitter;

    public TrainerNode(
            TrainerConfig config,
            MeterRegistry registry,
            @Identifier("default-kafka-broker") Map<String, Object> kafka,
            Config settings) {
        this.config = config;
        this.registry = registry;
        this.kafka = kafka;
        this.settings = settings;
        this.topics = PipelineTopics.from(key -> settings.getOptionalValue(key, String.class));
        this.trainerId = config.id().orElseGet(() -> KafkaClients.defaultInstanceId("trainer"));
    }

    /** Who may submit and stop runs through this trainer's API. */
    public ApiAccess apiAccess() {
        return apiAccess;
    }

    void onStart(@Observes StartupEvent event) throws InterruptedException {
        try {
            config.validate();
            if (config.claims().group().startsWith(topics.runGroupPrefix())) {
                throw new IllegalArgumentException("trainer.claims.group '"
                        + config.claims().group() + "' starts with pipeline.topics.run-group-prefix '"
                        + topics.runGroupPrefix() + "': ingest would hold the stream back for it as if it were a run");
            }
            TrainingDevice device = TrainingDevice.detect();
            LOG.infof("trainer %s: %s", trainerId, device);
            device.require(config.requireGpu());
            apiAccess = ApiAccess.from(key -> settings.getOptionalValue(key, String.class));
            LOG.infof("trainer %s: %s", trainerId, apiAccess.describe());
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
            LOG.errorf("trainer-service cannot start: %s", e.getMessage());
            throw e;
        }
        admin = Admin.create(kafka);
        TopicSpec.ensure(
                admin,
                List.of(
                        TopicSpec.runSpecs(topics.runSpecs(), config.claims().partitions()),
                        TopicSpec.checkpoints(topics.checkpoints(), TopicSpec.DEFAULT_PARTITIONS),
                        TopicSpec.events(topics.trainingEvents(), TopicSpec.DEFAULT_PARTITIONS),
                        TopicSpec.deadLetter(topics.deadLetter())));
        outputs = new TrainerOutputs(kafka, topics, trainerId);
        RunContext context = new RunContext(
                kafka,
                topics,
                config.checkpointChunkBytes(),
                config.claims().sessionTimeout(),
                trainerId,
                outputs,
                config.progressBar() ? ProgressBar.forConsole(System.out) : ProgressBar.NONE,
                LOG::info);
        runs = new TrainerRuns(
                context,
                config.logEvery(),
                config.divergencePolicy(),
                config.runLimits(),
                config.limits().maxActiveRuns(),
                run -> new RunMeters(registry, run),
                partition -> claims.owner(partition, admin));
        Gauge.builder(
                        "trainer_runs_hosted",
                        () -> runs.statuses().stream()
                                .filter(s -> s.state() != RunWorker.State.FINISHED
                                        && s.state() != RunWorker.State.STOPPED
                                        && s.state() != RunWorker.State.WAITING)
                                .count())
                .description("Runs this trainer is recovering or training")
                .register(registry);
        Gauge.builder(
                        "trainer_runs_waiting",
                        () -> runs.statuses().stream()
                                .filter(s -> s.state() == RunWorker.State.WAITING)
                                .count())
                .description("Runs claimed by this trainer that wait for a run slot (trainer.limits.max-active-runs)")
                .register(registry);
        Counter rejectedSpecs = Counter.builder("pipeline_dead_letter_records_total")
                .tag("service", "trainer")
                .tag("channel", "run-specs")
                .tag("run", "none")
                .description("Records sent to the dead-letter topic")
                .register(registry);
        claims = new RunClaims(
                kafka,
                topics.runSpecs(),
                new GroupMembership(
                        config.claims().group(),
                        trainerId + "-claims",
                        config.claims().sessionTimeout(),
                        true),
                trainerId,
                runs,
                (ConsumerRecord<String, byte[]> r, String reason) -> {
                    rejectedSpecs.increment();
                    outputs.deadLetter(r, reason);
                },
                this::endedRuns,
                spec -> runs.settingsOf(spec),
                LOG::info);
        submitter = new RunSubmitter(
                kafka,
                admin,
                outputs,
                topics.runSpecs(),
                topics.trainingEvents(),
                config.claims().group());
        claims.start();
        sweeps = new SweepSupervisor(
                kafka,
                topics,
                trainerId,
                runs,
                runId -> {
                    try {
                        submitter.stop(runId); // the cut, kept on the run's spec: no trainer trains it again
                    } catch (RunSubmitter.RunExistsException e) {
                        // it has ended already (STOPPED): nothing left to keep from training
                    } catch (RuntimeException e) {
                        LOG.warnf("run %s: cut early, but its stop request was not written: %s", runId, e.getMessage());
                    }
                },
                new SweepMeters(registry),
                LOG::info);
        sweeps.start();
        LOG.infof(
                "trainer %s: joining group %s on %s (session timeout %s); runs read %s as %s<run id>",
                trainerId,
                config.claims().group(),
                topics.runSpecs(),
                config.claims().sessionTimeout(),
                topics.trainBatches(),
                topics.runGroupPrefix());
    }

    private Set<String> endedRuns() {
        Set<String> ended = new HashSet<>();
        RunDirectory.read(kafka, topics.runSpecs(), topics.trainingEvents(), trainerId + "-claims")
                .runs()
                .forEach((id, entry) -> {
                    if (entry.terminal()) {
                        ended.add(id);
                    }
                });
        return ended;
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        if (sweeps != null) {
            sweeps.close();
        }
        if (claims != null) {
            claims.close(); // releases every run, each after a checkpoint
        }
        if (outputs != null) {
            outputs.close();
        }
        if (admin != null) {
            admin.close();
        }
    }

    /** Validates a spec against this trainer's code (preset, model, layout names; value ranges), then submits it. */
    public RunSubmitter.Placement submit(RunSpec spec) throws InterruptedException {
        runs.settingsOf(spec);
        return submitter.submit(spec);
    }

    /** A submitted sweep: each run placed, with the values the sweep gave it, and the runs submitted before. */
    public record SweepSubmission(String sweepId, List<Map<String, Object>> runs, List<String> alreadySubmitted) {}

    /**
     * Checks a sweep against this trainer's limits and every one of its runs as a run is checked, then submits the
     * runs one by one. Submitting a sweep again submits only its runs that are missing (a submission cut short
     * finishes); when none is missing the sweep exists, and {@link RunSubmitter.RunExistsException} says so.
     */
    public SweepSubmission submitSweep(SweepSpec sweep) throws InterruptedException {
        SweepLimits limits = config.sweepLimits();
        limits.checkSize(sweep.sweepId(), sweep.size());
        List<RunSpec> specs = sweep.runs();
        limits.checkEpochs(sweep.sweepId(), specs);
        for (RunSpec spec : specs) {
            runs.settingsOf(spec);
        }
        Map<String, Map<String, Object>> points = sweep.pointsByRun();
        // A run id taken by anything but this very sweep's same run is a conflict, never quietly adopted.
        Map<String, RunDirectory.Entry> known = RunDirectory.read(
                        kafka, topics.runSpecs(), topics.trainingEvents(), trainerId + "-sweep")
                .runs();
        List<String> existed = new ArrayList<>();
        for (RunSpec spec : specs) {
            RunDirectory.Entry entry = known.get(spec.runId());
            if (entry == null) {
                continue;
            }
            if (!sweep.sweepId().equals(entry.spec().sweep())
                    || !SweepSpec.values(sweep.base(), entry.spec()).equals(SweepSpec.values(sweep.base(), spec))) {
                throw new RunSubmitter.RunExistsException("run " + spec.runId() + " exists already and is not this "
                        + "sweep's run with these values; choose another sweep id");
            }
            existed.add(spec.runId());
        }
        if (existed.size() == specs.size()) {
            throw new RunSubmitter.RunExistsException("sweep " + sweep.sweepId() + " exists already: all its "
                    + existed.size() + " runs were submitted before; choose another sweep id");
        }
        List<Map<String, Object>> placed = new ArrayList<>();
        for (RunSpec spec : specs) {
            if (existed.contains(spec.runId())) {
                continue;
            }
            RunSubmitter.Placement p = submitter.submit(spec);
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("runId", p.runId());
            run.put("partition", p.partition());
            run.put("values", points.get(spec.runId()));
            placed.add(run);
        }
        // A stop of the sweep that came while its runs were being submitted reached only those before it: the rest
        // are stopped now.
        boolean stopped =
                RunDirectory.read(kafka, topics.runSpecs(), topics.trainingEvents(), trainerId + "-sweep")
                        .runs()
                        .values()
                        .stream()
                        .anyMatch(e -> sweep.sweepId().equals(e.spec().sweep())
                                && e.spec().stopRequested());
        if (stopped) {
            submitter.stopSweep(sweep.sweepId());
        }
        return new SweepSubmission(sweep.sweepId(), placed, existed);
    }

    /** Asks every run of a sweep that has not ended to stop (see {@link RunSubmitter#stopSweep}). */
    public RunSubmitter.SweepStop stopSweep(String sweepId) {
        return submitter.stopSweep(sweepId);
    }

    /** Asks a run to stop, wherever it trains (see {@link RunSubmitter#stop}). */
    public RunSubmitter.StopRequest stop(String runId) {
        return submitter.stop(runId);
    }

    public List<RunWorker.Status> runs() {
        return runs == null ? List.of() : runs.statuses();
    }

    public String trainerId() {
        return trainerId;
    }

    public boolean ready() {
        return claims != null && claims.joined();
    }

    /** Live while the claims loop runs and no run's thread has died without ending its run. */
    public boolean alive() {
        return (claims == null || claims.alive())
                && (sweeps == null || sweeps.alive())
                && (runs == null || runs.deadRuns().isEmpty());
    }

    public String problem() {
        if (claims != null && claims.failure() != null) {
            return "run claims stopped: " + claims.failure().getMessage();
        }
        if (sweeps != null && !sweeps.alive()) {
            return "the sweeps' early stopping stopped: " + sweeps.failure();
        }
        List<String> dead = runs == null ? List.of() : runs.deadRuns();
        if (!dead.isEmpty()) {
            return "the threads of runs " + dead + " died while their runs were still on";
        }
        List<String> failed = runs == null ? List.of() : runs.failedRuns();
        return failed.isEmpty() ? "" : "failed runs: " + failed;
    }
}
