package dev.cifarpipeline.testsupport;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * Debian's {@code chromium}, headless, as a test's real browser: a page's screenshot (what a reader sees, pixel by
 * pixel), its DOM after its scripts ran, and what its console reported (script errors included). Each call is a
 * fresh browser process with a profile of its own.
 */
public final class HeadlessChromium {
    /** What a page produced in the browser. */
    public record Rendering(BufferedImage screenshot, String dom, List<String> console) {
        /** Pixels within {@code tolerance} of {@code rgb} on each channel: how much of a colour is on screen. */
        public int pixels(int rgb, int tolerance) {
            int count = 0;
            for (int y = 0; y < screenshot.getHeight(); y++) {
                for (int x = 0; x < screenshot.getWidth(); x++) {
                    int p = screenshot.getRGB(x, y);
                    if (Math.abs(((p >> 16) & 0xff) - ((rgb >> 16) & 0xff)) <= tolerance
                            && Math.abs(((p >> 8) & 0xff) - ((rgb >> 8) & 0xff)) <= tolerance
                            && Math.abs((p & 0xff) - (rgb & 0xff)) <= tolerance) {
                        count++;
                    }
                }
            }
            return count;
        }

        /** Console lines that report an error (an uncaught exception, a failed script). */
        public List<String> errors() {
            return console.stream()
                    .filter(l -> l.contains("Uncaught") || l.contains(":ERROR:CONSOLE") || l.contains("\"error\""))
                    .toList();
        }
    }

    private HeadlessChromium() {}

    /** The browser's path: {@code chromium} on the PATH (Debian's package), or {@code PIPELINE_CHROMIUM}. */
    public static String binary() {
        String configured = System.getenv("PIPELINE_CHROMIUM");
        return configured != null && !configured.isBlank() ? configured : "chromium";
    }

    /** Opens {@code page} in a {@code width}×{@code height} window; its screenshot, DOM and console. */
    public static Rendering render(Path page, int width, int height, Path work)
            throws IOException, InterruptedException {
        Files.createDirectories(work);
        Path png = work.resolve("screenshot.png");
        Files.deleteIfExists(png);
        String url = page.toAbsolutePath().toUri().toString();
        run(work, List.of("--screenshot=" + png, "--window-size=" + width + "," + height, url), work.resolve("shot"));
        BufferedImage image = ImageIO.read(png.toFile());
        if (image == null) {
            throw new IOException("chromium wrote no screenshot of " + url);
        }
        Output dom =
                run(work, List.of("--dump-dom", "--window-size=" + width + "," + height, url), work.resolve("dom"));
        List<String> console = new ArrayList<>();
        for (String line : dom.stderr().split("\n")) {
            if (line.contains("CONSOLE") || line.contains("Uncaught")) {
                console.add(line);
            }
        }
        return new Rendering(image, dom.stdout(), console);
    }

    private record Output(String stdout, String stderr) {}

    private static Output run(Path work, List<String> args, Path profile) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                binary(),
                "--headless",
                "--no-sandbox", // tests run as root here
                "--disable-gpu",
                "--hide-scrollbars",
                "--no-first-run",
                "--enable-logging=stderr",
                "--v=0",
                "--user-data-dir=" + profile));
        command.addAll(args);
        Path out = work.resolve("stdout.txt");
        Path err = work.resolve("stderr.txt");
        Process p = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly); // its renderers and helpers too
            p.destroyForcibly();
            throw new IOException("chromium did not finish within 90 s: " + command);
        }
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("chromium exited " + p.exitValue() + ": " + command + "\n" + stderr);
        }
        return new Output(Files.readString(out, StandardCharsets.UTF_8), stderr);
    }
}
