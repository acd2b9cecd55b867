package dev.cifarpipeline.trainer.cluster;

import dev.cifarpipeline.events.RunSpec;
import dev.cifarpipeline.events.TrainingEvent;
import dev.cifarpipeline.events.sweep.SuccessiveHalving;
import dev.cifarpipeline.trainer.run.ClaimCheck;
import dev.cifarpipeline.trainer.run.RunContext;
import dev.cifarpipeline.trainer.run.RunMeters;
import dev.cifarpipeline.trainer.run.RunWorker;
import dev.cifarpipeline.trainer.run.StopMode;
import dev.cifarpipeline.trainer.training.DivergencePolicy;
import dev.cifarpipeline.trainer.training.RunLimits;
import dev.cifarpipeline.trainer.training.TrainingSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The runs this trainer hosts, each on a thread of its own, by the run-spec partition that gave it to this
 * trainer. Claims start runs; a partition moving away stops its runs (after a checkpoint, or without one when
 * the claim was lost); shutdown releases everything.
 */
public final class TrainerRuns implements RunClaims.Host {
    /** How long a released run may take to finish its step and publish its checkpoint. */
    private static final Duration STOP_WAIT = Duration.ofMinutes(2);

    private record Hosted(RunWorker worker, Thread thread, int partition, RunMeters meters) {}

    private record Waiting(int partition, RunSpec spec, TrainingSettings settings) {}

    private final RunContext context;
    private final int logEvery;
    private final DivergencePolicy divergence;
    private final RunLimits limits;
    private final Function<String, RunMeters> meters;
    private final IntFunction<ClaimCheck> owners;
    /** In the order they started here; guarded by this. */
    private final Map<String, Hosted> hosted = new LinkedHashMap<>();
    /** Claimed runs beyond {@code maxActiveRuns}, in the order they came; each starts when a run here ends. */
    private final Map<String, Waiting> waiting = new LinkedHashMap<>();

    private final int maxActiveRuns;

    public TrainerRuns(
            RunContext context,
            int logEvery,
            DivergencePolicy divergence,
            RunLimits limits,
            int maxActiveRuns,
            Function<String, RunMeters> meters,
            IntFunction<ClaimCheck> owners) {
        this.owners = owners;
        this.maxActiveRuns = maxActiveRuns;
        this.context = context;
        this.logEvery = logEvery;
        this.divergence = divergence;
        this.limits = limits;
        this.meters = meters;
    }

    /**
     * Resolves a spec into settings without starting anything, and holds it to this trainer's limits: how a bad spec
     * is found before it is trained.
     */
    public TrainingSettings settingsOf(RunSpec spec) {
        TrainingSettings settings = TrainingSettings.resolve(spec, logEvery, divergence);
        try {
            limits.check(settings);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("run spec " + spec.runId() + ": " + e.getMessage(), e);
        }
        return settings;
    }

    @Override
    public synchronized void claim(int partition, RunSpec spec, boolean terminal) {
        Hosted current = hosted.get(spec.runId());
        if (spec.stopRequested()) {
            waiting.remove(spec.runId()); // never started here: stopped as a run no trainer held
            if (current != null && !current.worker().ended()) {
                context.log().accept("run " + spec.runId() + ": stop requested; checkpointing and stopping it");
                current.worker().requestStop(StopMode.END);
            } else if (current == null && !terminal) {
                // asked while no trainer held it: say so on the events topic, so that it reads as ended everywhere
                context.outputs()
                        .event(new TrainingEvent(
                                TrainingEvent.SCHEMA_VERSION,
                                spec.runId(),
                                TrainingEvent.Type.STOPPED,
                                0,
                                0,
                                "stopped on request before trainer " + context.trainerId() + " took it on",
                                System.currentTimeMillis()));
                context.log().accept("run " + spec.runId() + " was stopped on request; not training it");
            }
            return;
        }
        if (current != null) {
            if (!current.worker().ended() || current.worker().state() != RunWorker.State.RELEASED) {
                return; // running, or ended here for good (finished, stopped, failed): a repeated spec changes nothing
            }
            current.meters().close();
            hosted.remove(spec.runId());
        }
        if (terminal) {
            context.log().accept("run " + spec.runId() + " has ended (finished or stopped); not training it again");
            return;
        }
        TrainingSettings settings = settingsOf(spec); // callers checked; a spec that fails here was rejected upstream
        if (waiting.containsKey(spec.runId())) {
            return; // a repeated spec of a run already waiting
        }
        long active = activeRuns();
        if (active >= maxActiveRuns) {
            waiting.put(spec.runId(), new Waiting(partition, spec, settings));
            context.log()
                    .accept("run " + spec.runId() + " waits: this trainer trains " + active + " runs, its limit "
                            + "(trainer.limits.max-active-runs); " + waiting.size() + " waiting");
            return;
        }
        start(partition, spec, settings);
    }

    /** Whether this trainer trains {@code runId} now (started here, not ended). */
    public synchronized boolean trains(String runId) {
        Hosted h = hosted.get(runId);
        return h != null && !h.worker().ended();
    }

    /**
     * Hands a rung decision of its sweep to {@code runId}'s worker, if this trainer trains it and has not had that rung
     * decided (see {@link RunWorker#rung}); whether it did.
     */
    public synchronized boolean rung(String runId, SuccessiveHalving.Decision decision, boolean published) {
        Hosted h = hosted.get(runId);
        return h != null && !h.worker().ended() && h.worker().rung(decision, published);
    }

    private long activeRuns() {
        return hosted.values().stream().filter(h -> !h.worker().ended()).count();
    }

    /** A run here ended: the runs waiting take the free slots, first come first. */
    private synchronized void slotFreed() {
        var next = waiting.values().iterator();
        while (next.hasNext() && activeRuns() < maxActiveRuns) {
            Waiting w = next.next();
            next.remove();
            start(w.partition(), w.spec(), w.settings());
        }
    }

    /**
     * How many ended runs (finished, stopped, failed, released) are kept for the status view; beyond it the longest
     * ended are forgotten here (their record is on the events topic), so a long-lived trainer's memory stays flat.
     */
    public static final int MAX_ENDED_KEPT = 64;

    private void forgetOldEnded() {
        List<Hosted> ended = hosted.values().stream()
                .filter(h -> h.worker().ended() && !h.thread().isAlive())
                .toList();
        for (int i = 0; i < ended.size() - MAX_ENDED_KEPT; i++) {
            hosted.remove(ended.get(i).worker().runId(), ended.get(i));
            ended.get(i).meters().close();
        }
    }

    private void start(int partition, RunSpec spec, TrainingSettings settings) {
        forgetOldEnded();
        RunMeters runMeters = meters.apply(spec.runId());
        RunWorker worker = new RunWorker(settings, context, runMeters, owners.apply(partition));
        Thread thread = new Thread(
                () -> {
                    try {
                        worker.run();
                    } finally {
                        slotFreed();
                    }
                },
                "run-" + spec.runId());
        thread.setDaemon(true);
        hosted.put(spec.runId(), new Hosted(worker, thread, partition, runMeters));
        context.log()
                .accept(String.format(
                        "claimed run %s (run-spec partition %d): preset %s, %s, %d epoch(s) of a %d-epoch OneCycle "
                                + "schedule, max lr %s, weight decay %s, %s, seed %d%s",
                        spec.runId(),
                        partition,
                        settings.preset().id(),
                        settings.model(),
                        settings.epochs(),
                        settings.scheduleEpochs(),
                        settings.maxLearningRate(),
                        settings.weightDecay(),
                        settings.cycleMomentum() ? "momentum cycled 0.95-0.85" : "momentum " + settings.momentum(),
                        settings.seed(),
                        spec.overrides().isEmpty() ? "" : ", overrides " + spec.overrides()));
        thread.start();
    }

    @Override
    public void release(Collection<Integer> partitions, boolean checkpoint) {
        List<Hosted> leaving = new ArrayList<>();
        synchronized (this) {
            hosted.values().stream()
                    .filter(h -> partitions.contains(h.partition()))
                    .forEach(leaving::add);
            waiting.values().removeIf(w -> partitions.contains(w.partition())); // the partitions' new owner has them
            leaving.forEach(h -> hosted.remove(h.worker().runId()));
        }
        leaving.forEach(h -> h.worker().requestStop(checkpoint ? StopMode.RELEASE : StopMode.DROP));
        for (Hosted h : leaving) {
            try {
                h.thread().join(STOP_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (h.thread().isAlive()) {
                // Still waiting for the broker, most likely: the partition's next owner may have the run by now, so
                // this thread must write nothing more for it (not even open its producer, which would fence the owner).
                h.worker().requestStop(StopMode.DROP);
                context.log()
                        .accept("run " + h.worker().runId() + " did not stop within " + STOP_WAIT.toSeconds()
                                + " s; it is to write nothing more");
            } else {
                context.log()
                        .accept("run " + h.worker().runId() + (checkpoint ? " released" : " dropped (claim lost)")
                                + " in state " + h.worker().state());
            }
            h.meters().close();
        }
    }

    public synchronized List<RunWorker.Status> statuses() {
        List<RunWorker.Status> out = new ArrayList<>();
        hosted.values().forEach(h -> out.add(h.worker().status()));
        waiting.values()
                .forEach(w -> out.add(new RunWorker.Status(
                        w.spec().runId(),
                        RunWorker.State.WAITING,
                        w.settings().preset().id(),
                        w.settings().model().architecture().id(),
                        w.settings().model().layout().id(),
                        w.settings().epochs(),
                        0,
                        0,
                        Double.NaN,
                        "waiting for one of this trainer's " + maxActiveRuns + " run slots")));
        out.sort(Comparator.comparing(RunWorker.Status::runId));
        return out;
    }

    /** Runs whose thread is gone while the run had not ended: nothing trains them, and nothing will. */
    public synchronized List<String> deadRuns() {
        return hosted.values().stream()
                .filter(h -> h.thread().getState() == Thread.State.TERMINATED
                        && !h.worker().ended())
                .map(h -> h.worker().runId())
                .toList();
    }

    /** Runs whose step failed: the trainer is alive but these runs are not progressing. */
    public synchronized List<String> failedRuns() {
        return hosted.values().stream()
                .filter(h -> h.worker().state() == RunWorker.State.FAILED)
                .map(h -> h.worker().runId())
                .toList();
    }
}
