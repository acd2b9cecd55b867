package dev.cifarpipeline.cli;

import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.sweep.SearchSpace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code bin/pipeline sweep}'s options: the search space ({@code --grid}, {@code --random} with {@code --seed} and
 * {@code --range}), how many trainer processes share the runs ({@code --trainers}), the sweep's id, and every data
 * and run option of {@code bin/pipeline run} (the base of each run) except those that name one run.
 */
public record SweepOptions(
        RunOptions run, Optional<String> sweepId, int trainers, SearchSpace space, Optional<Integer> ashaEta) {
    public static final String USAGE = """
            usage: bin/pipeline sweep [run options: --data DIR | --download | --synthetic, --epochs N, --preset,
                                       --model, --limit-train N, --limit-test N, --batch-size N, --report DIR,
                                       --set key=value, ...]
                                      [--grid key=v1,v2,...]... [--random N [--seed S] --range key=low:high[:log]...]
                                      [--trainers N] [--sweep-id ID] [--asha ETA]
            Each point of the space is a run: the run options (--set: values every run shares) with the point's
            run-spec values (maxLearningRate, weightDecay, scheduleEpochs, preset, model, seed, ...).
            --asha ETA stops losing runs early (ASHA): at
            1, ETA, ETA^2 ... epochs a run goes on only if it is not below the top 1/ETA of the runs there before it.""";

    public static SweepOptions parse(List<String> args) {
        List<String> rest = new ArrayList<>();
        Map<String, List<Object>> grid = new LinkedHashMap<>();
        Map<String, SearchSpace.Range> ranges = new LinkedHashMap<>();
        int samples = 0;
        long seed = 0;
        int trainers = 2;
        Optional<String> sweepId = Optional.empty();
        Optional<Integer> ashaEta = Optional.empty();
        try {
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "--grid" -> {
                        var axis = SearchSpace.gridAxis(RunOptions.value(args, ++i, a));
                        if (grid.put(axis.getKey(), axis.getValue()) != null) {
                            throw new IllegalArgumentException("--grid " + axis.getKey() + " is given twice");
                        }
                    }
                    case "--range" -> {
                        var range = SearchSpace.range(RunOptions.value(args, ++i, a));
                        if (ranges.put(range.getKey(), range.getValue()) != null) {
                            throw new IllegalArgumentException("--range " + range.getKey() + " is given twice");
                        }
                    }
                    case "--random" -> samples = RunOptions.positive(args, ++i, a);
                    case "--seed" -> seed = Long.parseLong(RunOptions.value(args, ++i, a));
                    case "--trainers" -> trainers = RunOptions.positive(args, ++i, a);
                    case "--sweep-id" -> sweepId = Optional.of(RunOptions.value(args, ++i, a));
                    case "--asha" -> {
                        int eta = RunOptions.positive(args, ++i, a);
                        if (eta < 2) {
                            throw new IllegalArgumentException(
                                    "--asha takes a reduction factor of 2 or more, got " + eta);
                        }
                        ashaEta = Optional.of(eta);
                    }
                    case "--resume", "--run-id" ->
                        throw new IllegalArgumentException(
                                a + " names one run; a sweep names its runs <sweep-id>-<n> (--sweep-id)");
                    default -> rest.add(a);
                }
            }
            SearchSpace space = new SearchSpace(grid, samples, seed, ranges);
            RunOptions run = RunOptions.parse(rest);
            for (String key : run.specValues().keySet()) {
                if (grid.containsKey(key) || ranges.containsKey(key)) {
                    throw new IllegalArgumentException("--set " + key + " conflicts with the search space's " + key
                            + " (--grid, --range): drop one");
                }
            }
            if (sweepId.isPresent() && !sweepId.get().matches("[A-Za-z0-9._-]{1,56}")) {
                throw new IllegalArgumentException(
                        "sweep id '" + sweepId.get() + "' must be 1-56 letters, digits, '.', '_' or '-'");
            }
            return new SweepOptions(run, sweepId, trainers, space, ashaEta);
        } catch (RecordFormatException | NumberFormatException e) {
            throw new IllegalArgumentException(e.getMessage().replace("sweep: ", "") + "\n" + USAGE);
        }
    }
}
