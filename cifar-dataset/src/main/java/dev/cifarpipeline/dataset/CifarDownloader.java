package dev.cifarpipeline.dataset;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Fetches the official CIFAR-10 archive into a folder: download to a temporary file while hashing it, check the
 * checksum, extract into a temporary folder, validate the dataset there, and only then rename it into place.
 * Any failure (HTTP error, interrupted transfer, wrong checksum, truncated or corrupt archive, a dataset that
 * does not validate) throws with the reason and leaves no half-written dataset behind. A folder that already
 * holds a valid dataset is left alone: "already present, verified".
 */
public final class CifarDownloader {
    /** Where the official binary archive is published (a constant, so configuration defaults can name it). */
    public static final String OFFICIAL_BINARY_ADDRESS = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";

    public static final URI OFFICIAL_BINARY_URL = URI.create(OFFICIAL_BINARY_ADDRESS);
    /** MD5 of {@code cifar-10-binary.tar.gz}, as published with it. */
    public static final String OFFICIAL_BINARY_MD5 = "c32a1d4ab5d03f1284b67883e8d87530";

    /**
     * @param dataset    the dataset folder (cifar-10-batches-bin or cifar-10-batches-py)
     * @param downloaded whether this call fetched it
     * @param message    what happened, for the log
     */
    public record Result(Path dataset, boolean downloaded, String message) {}

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);
    private final Duration stallTimeout;
    private final Consumer<String> log;

    public CifarDownloader(Consumer<String> log) {
        this(Duration.ofSeconds(60), log);
    }

    /** @param stallTimeout how long the transfer may deliver nothing before it counts as failed */
    public CifarDownloader(Duration stallTimeout, Consumer<String> log) {
        this.stallTimeout = stallTimeout;
        this.log = log;
    }

    /**
     * Makes sure {@code folder} holds a valid CIFAR-10 (either layout, possibly in its sub-folder), downloading
     * {@code url} if it does not. {@code checksum} is the archive's MD5 (32 hex digits) or SHA-256 (64).
     */
    public Result ensure(Path folder, URI url, String checksum) {
        try {
            CifarDataset present = CifarDatasets.read(folder);
            return new Result(
                    present.source(),
                    false,
                    "CIFAR-10 at " + present.source() + ": already present, verified ("
                            + present.train().size() + " train, "
                            + present.test().size() + " test images)");
        } catch (DatasetLayoutException absentOrInvalid) {
            log.accept("no valid CIFAR-10 at " + folder.toAbsolutePath() + " (" + absentOrInvalid.getMessage()
                    + "); downloading " + url);
        }
        String algorithm = algorithmOf(checksum);
        Path archive = null;
        Path staging = null;
        try {
            Files.createDirectories(folder);
            String token = UUID.randomUUID().toString().substring(0, 8);
            archive = folder.resolve(".cifar-download-" + token + ".part");
            staging = folder.resolve(".cifar-extract-" + token);
            String actual = download(url, archive, algorithm);
            if (!actual.equalsIgnoreCase(checksum)) {
                throw new DatasetDownloadException(
                        url + ": checksum mismatch, expected " + algorithm + " " + checksum.toLowerCase(Locale.ROOT)
                                + " but the downloaded " + Files.size(archive) + " bytes have " + actual);
            }
            Path extracted = extract(archive, staging, url);
            CifarDataset dataset = CifarDatasets.read(extracted); // validate before anything is visible
            Path target = folder.resolve(extracted.getFileName());
            replace(extracted, target);
            return new Result(
                    target,
                    true,
                    "CIFAR-10 downloaded from " + url + ", " + algorithm + " verified, into " + target + " ("
                            + dataset.train().size() + " train, "
                            + dataset.test().size() + " test images)");
        } catch (IOException e) {
            throw new DatasetDownloadException(
                    "cannot download " + url + " into " + folder.toAbsolutePath() + ": " + e, e);
        } catch (DatasetLayoutException e) {
            throw new DatasetDownloadException(
                    url + ": the archive does not hold a valid CIFAR-10: " + e.getMessage(), e);
        } finally {
            deleteQuietly(archive);
            deleteQuietly(staging);
        }
    }

    private String download(URI url, Path archive, String algorithm) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) url.toURL().openConnection();
        connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
        connection.setReadTimeout((int) stallTimeout.toMillis()); // a transfer that stalls fails instead of hanging
        connection.setInstanceFollowRedirects(true);
        int status = connection.getResponseCode();
        if (status != 200) {
            connection.disconnect();
            throw new DatasetDownloadException(url + ": HTTP " + status);
        }
        long declared = connection.getContentLengthLong();
        MessageDigest digest = newDigest(algorithm);
        long received = 0;
        try (InputStream in = new DigestInputStream(connection.getInputStream(), digest);
                OutputStream out = Files.newOutputStream(archive)) {
            byte[] buffer = new byte[1 << 16];
            long nextReport = 16L << 20;
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                received += n;
                if (received >= nextReport) {
                    log.accept(String.format(
                            "downloaded %d MB%s",
                            received >> 20, declared > 0 ? " of " + (declared >> 20) + " MB" : ""));
                    nextReport += 16L << 20;
                }
            }
        } catch (IOException e) {
            throw new DatasetDownloadException(
                    url + ": transfer interrupted after " + received + " bytes"
                            + (declared > 0 ? " of " + declared : "") + ": " + e.getMessage(),
                    e);
        }
        if (declared >= 0 && received != declared) {
            throw new DatasetDownloadException(
                    url + ": transfer ended after " + received + " of " + declared + " bytes");
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Extracts the .tar.gz into {@code staging}; returns the dataset folder it held. */
    private static Path extract(Path archive, Path staging, URI url) throws IOException {
        Files.createDirectories(staging);
        Path root = staging.toAbsolutePath().normalize();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                new GzipCompressorInputStream(new BufferedInputStream(Files.newInputStream(archive))))) {
            for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                Path target = root.resolve(entry.getName()).normalize();
                if (!target.startsWith(root)) {
                    throw new DatasetDownloadException(
                            url + ": archive entry '" + entry.getName() + "' points outside the archive");
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else if (entry.isFile()) {
                    Files.createDirectories(target.getParent());
                    Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new DatasetDownloadException(url + ": the archive is truncated or corrupt: " + e.getMessage(), e);
        }
        for (String name : new String[] {CifarBinaryLayout.FOLDER, CifarPickleReader.FOLDER}) {
            if (Files.isDirectory(root.resolve(name))) {
                return root.resolve(name);
            }
        }
        throw new DatasetDownloadException(
                url + ": the archive holds neither " + CifarBinaryLayout.FOLDER + " nor " + CifarPickleReader.FOLDER);
    }

    /** Puts {@code extracted} at {@code target}, moving an invalid old copy aside first and deleting it after. */
    private static void replace(Path extracted, Path target) throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            old = target.resolveSibling("." + target.getFileName() + ".old-"
                    + UUID.randomUUID().toString().substring(0, 8));
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(extracted, target, StandardCopyOption.ATOMIC_MOVE);
        deleteQuietly(old);
    }

    static String algorithmOf(String checksum) {
        if (checksum != null && checksum.matches("[0-9a-fA-F]{32}")) {
            return "MD5";
        }
        if (checksum != null && checksum.matches("[0-9a-fA-F]{64}")) {
            return "SHA-256";
        }
        throw new IllegalArgumentException(
                "checksum '" + checksum + "' is neither an MD5 (32 hex digits) nor a SHA-256 (64)");
    }

    private static MessageDigest newDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is part of every Java runtime", e);
        }
    }

    private static void deleteQuietly(Path path) {
        if (path == null || !Files.exists(path)) {
            return;
        }
        try (Stream<Path> all = Files.walk(path)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // best effort: a leftover temporary file is named as such and never read as a dataset
        }
    }
}
