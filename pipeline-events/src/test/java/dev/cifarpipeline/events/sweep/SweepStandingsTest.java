package dev.cifarpipeline.events.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SweepStandingsTest {
    @Test
    void theBestAccuracyWinsAndATieGoesToTheRunSubmittedFirst() {
        Map<String, Double> best = new LinkedHashMap<>();
        best.put("s-10", 0.7); // listed first, but submitted after s-02
        best.put("s-02", 0.7);
        best.put("s-01", 0.6);
        assertEquals(Optional.of("s-02"), SweepStandings.winner(best));
        best.put("s-03", 0.71);
        assertEquals(Optional.of("s-03"), SweepStandings.winner(best));
    }

    @Test
    void runsWithoutAScoreNeverWin() {
        Map<String, Double> best = new HashMap<>();
        best.put("s-1", null);
        best.put("s-2", Double.NaN);
        assertEquals(Optional.empty(), SweepStandings.winner(best));
        best.put("s-3", 0.0);
        assertEquals(Optional.of("s-3"), SweepStandings.winner(best));
        assertEquals(Optional.empty(), SweepStandings.winner(Map.of()));
    }
}
