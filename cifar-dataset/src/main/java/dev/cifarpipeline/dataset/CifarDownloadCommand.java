package dev.cifarpipeline.dataset;

import java.net.URI;
import java.nio.file.Path;

/**
 * {@code CifarDownloadCommand --out DIR [--url URL] [--checksum MD5|SHA256]}: makes sure DIR holds CIFAR-10,
 * downloading the official binary archive (or URL) if it does not. Exit status 1 with the reason on failure.
 */
public final class CifarDownloadCommand {
    private CifarDownloadCommand() {}

    public static void main(String[] args) {
        Path out = null;
        URI url = CifarDownloader.OFFICIAL_BINARY_URL;
        String checksum = CifarDownloader.OFFICIAL_BINARY_MD5;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[i + 1]);
                case "--url" -> url = URI.create(args[i + 1]);
                case "--checksum" -> checksum = args[i + 1];
                default -> {
                    System.err.println("cifar-download: unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        if (out == null || args.length % 2 != 0) {
            System.err.println("usage: CifarDownloadCommand --out DIR [--url URL] [--checksum MD5|SHA256]");
            System.exit(2);
        }
        try {
            System.out.println(new CifarDownloader(System.out::println)
                    .ensure(out, url, checksum)
                    .message());
        } catch (DatasetDownloadException | IllegalArgumentException e) {
            System.err.println("cifar-download: " + e.getMessage());
            System.exit(1);
        }
    }
}
