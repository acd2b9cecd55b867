package dev.cifarpipeline.cli;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A trainer's log read as it grows: its seed-style loss lines ({@code run R [epoch 1, iteration 100] loss: 2.103 …
 * step 100}), each with its run, its step and its loss, for the charts of {@code bin/pipeline run} and {@code sweep}.
 */
final class TrainerLossLines {
    private static final Pattern LINE = Pattern.compile("run (\\S+) \\[epoch ");

    /** The figures of a loss line: the running mean loss and the run's step. */
    private static final Pattern FIGURES = Pattern.compile("\\] loss: (\\S+) .* step (\\d+)$");

    /** One loss line: {@code text} from "run …" on; step -1 and loss NaN for a line of another form. */
    interface Sink {
        void line(String run, String text, long step, double loss);
    }

    private final Path log;
    private long position;

    TrainerLossLines(Path log) {
        this.log = log;
    }

    /** The loss lines written since the last look (none while the log does not exist yet). */
    void read(Sink sink) {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            if (file.length() < position) {
                position = 0;
            }
            file.seek(position);
            byte[] bytes = new byte[(int) Math.min(1 << 20, file.length() - position)];
            file.readFully(bytes);
            String text = new String(bytes, StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n');
            if (end < 0) {
                return;
            }
            position += text.substring(0, end + 1).getBytes(StandardCharsets.UTF_8).length;
            for (String line : text.substring(0, end).split("\n")) {
                Matcher m = LINE.matcher(line);
                if (m.find()) {
                    long step = -1;
                    double loss = Double.NaN;
                    Matcher figures = FIGURES.matcher(line);
                    if (figures.find()) {
                        try {
                            step = Long.parseLong(figures.group(2));
                            loss = Double.parseDouble(figures.group(1));
                        } catch (NumberFormatException e) {
                            step = -1; // a line of another form (an older trainer's): passed on, not charted
                        }
                    }
                    sink.line(m.group(1), line.substring(m.start()), step, loss);
                }
            }
        } catch (IOException e) {
            // the log appears once the trainer starts
        }
    }
}
