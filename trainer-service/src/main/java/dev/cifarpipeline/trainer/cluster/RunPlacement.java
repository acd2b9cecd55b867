package dev.cifarpipeline.trainer.cluster;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which run-spec partition a new run goes to. A partition's owner trains every run in it, so placing a run
 * is choosing its trainer: the live trainer with the fewest active runs (ties: the first by member id), and
 * within its partitions the one with the fewest active runs (ties: the lowest). With no trainer in the group
 * yet, the partition with the fewest active runs overall. Submitted runs thus spread over the replicas, and
 * when a replica dies the group hands its partitions, runs included, to the others.
 */
public final class RunPlacement {
    private RunPlacement() {}

    /**
     * @param partitions      partitions of the run-spec topic
     * @param members         partitions each live trainer owns, by member id
     * @param activeRuns      active runs per partition (absent: none)
     */
    public static int choose(int partitions, Map<String, Set<Integer>> members, Map<Integer, Integer> activeRuns) {
        if (partitions < 1) {
            throw new IllegalArgumentException("the run-spec topic has no partitions");
        }
        Set<Integer> candidates = null;
        int fewest = Integer.MAX_VALUE;
        for (Map.Entry<String, Set<Integer>> m : new TreeMap<>(members).entrySet()) {
            if (m.getValue().isEmpty()) {
                continue;
            }
            int load = m.getValue().stream()
                    .mapToInt(p -> activeRuns.getOrDefault(p, 0))
                    .sum();
            if (load < fewest) {
                fewest = load;
                candidates = m.getValue();
            }
        }
        int best = -1;
        int bestLoad = Integer.MAX_VALUE;
        for (int p = 0; p < partitions; p++) {
            if (candidates != null && !candidates.contains(p)) {
                continue;
            }
            int load = activeRuns.getOrDefault(p, 0);
            if (load < bestLoad) {
                best = p;
                bestLoad = load;
            }
        }
        return best;
    }
}
