package dev.cifarpipeline.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real download path against a local HTTP server that serves archives this test builds. */
class CifarDownloaderTest {
    @TempDir
    Path dir;

    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile byte[] served;
    private volatile long declaredLength = -1;

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/cifar-10-binary.tar.gz", exchange -> {
            requests.incrementAndGet();
            byte[] body = served;
            exchange.sendResponseHeaders(200, declaredLength >= 0 ? declaredLength : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            } catch (IOException clientGone) {
                // the truncated-transfer case closes early
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/cifar-10-binary.tar.gz");
    }

    /** A .tar.gz laid out like the official one: cifar-10-batches-bin/ with the six batch files and the meta file. */
    private byte[] officialLikeArchive() throws IOException {
        Path source = dir.resolve("source");
        SyntheticCifar.write(source.resolve(CifarBinaryLayout.FOLDER), 60, 20, 8);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes));
                Stream<Path> files = Files.list(source.resolve(CifarBinaryLayout.FOLDER))) {
            for (Path file : files.sorted().toList()) {
                TarArchiveEntry entry =
                        new TarArchiveEntry(file.toFile(), CifarBinaryLayout.FOLDER + "/" + file.getFileName());
                tar.putArchiveEntry(entry);
                Files.copy(file, tar);
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static String md5(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    }

    private List<String> leftovers(Path target) throws IOException {
        if (!Files.exists(target)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(target)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }

    @Test
    void downloadsVerifiesExtractsAndThenSkipsWhatIsPresent() throws Exception {
        served = officialLikeArchive();
        Path target = dir.resolve("data");
        List<String> log = new ArrayList<>();
        CifarDownloader.Result first = new CifarDownloader(log::add).ensure(target, url(), md5(served));
        assertTrue(first.downloaded());
        assertEquals(target.resolve(CifarBinaryLayout.FOLDER), first.dataset());
        assertArrayEquals(
                SyntheticCifar.generate(60, 8, false).pixels(),
                CifarDatasets.read(target).train().pixels());
        assertEquals(List.of(CifarBinaryLayout.FOLDER), leftovers(target), "no temporary files remain");

        CifarDownloader.Result second = new CifarDownloader(log::add).ensure(target, url(), md5(served));
        assertFalse(second.downloaded());
        assertTrue(second.message().contains("already present, verified"), second.message());
        assertEquals(1, requests.get(), "nothing fetched the second time");
    }

    @Test
    void corruptArchiveFailsItsChecksumAndLeavesNothing() throws Exception {
        byte[] good = officialLikeArchive();
        served = good.clone();
        served[served.length / 2] ^= 0x40;
        Path target = dir.resolve("data");
        DatasetDownloadException e = assertThrows(
                DatasetDownloadException.class, () -> new CifarDownloader(s -> {}).ensure(target, url(), md5(good)));
        assertTrue(e.getMessage().contains("checksum mismatch, expected MD5 " + md5(good)), e.getMessage());
        assertEquals(List.of(), leftovers(target));
    }

    @Test
    void truncatedArchiveWithAMatchingChecksumFailsExtractionAndLeavesNothing() throws Exception {
        served = Arrays.copyOf(officialLikeArchive(), 20_000);
        Path target = dir.resolve("data");
        DatasetDownloadException e = assertThrows(
                DatasetDownloadException.class, () -> new CifarDownloader(s -> {}).ensure(target, url(), md5(served)));
        assertTrue(e.getMessage().contains("the archive is truncated or corrupt"), e.getMessage());
        assertEquals(List.of(), leftovers(target));
    }

    @Test
    void transferCutShortOfItsContentLengthFailsAndLeavesNothing() throws Exception {
        byte[] good = officialLikeArchive();
        served = Arrays.copyOf(good, good.length / 2);
        declaredLength = good.length;
        Path target = dir.resolve("data");
        DatasetDownloadException e = assertThrows(
                DatasetDownloadException.class,
                () -> new CifarDownloader(Duration.ofSeconds(2), s -> {}).ensure(target, url(), md5(good)));
        assertTrue(e.getMessage().contains("transfer"), e.getMessage());
        assertEquals(List.of(), leftovers(target));
    }

    @Test
    void anInvalidDatasetInPlaceIsReplacedOnlyByAVerifiedOne() throws Exception {
        served = officialLikeArchive();
        Path target = dir.resolve("data");
        Files.createDirectories(target.resolve(CifarBinaryLayout.FOLDER));
        Files.writeString(target.resolve(CifarBinaryLayout.FOLDER).resolve("test_batch.bin"), "broken");
        CifarDownloader.Result result = new CifarDownloader(s -> {}).ensure(target, url(), md5(served));
        assertTrue(result.downloaded());
        assertEquals(20, CifarDatasets.read(target).test().size());
        assertEquals(List.of(CifarBinaryLayout.FOLDER), leftovers(target));
    }

    @Test
    void httpErrorsAndBadChecksumsAreNamed() {
        URI missing = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/nothing-here.tar.gz");
        DatasetDownloadException e = assertThrows(
                DatasetDownloadException.class,
                () -> new CifarDownloader(s -> {})
                        .ensure(dir.resolve("data"), missing, CifarDownloader.OFFICIAL_BINARY_MD5));
        assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> new CifarDownloader(s -> {}).ensure(dir.resolve("data"), url(), "abc"));
    }
}
