package dev.cifarpipeline.dataset;

import dev.cifarpipeline.events.ImageGeometry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes {@code cifar-10-batches-py} exactly as the official files are: Python 2 pickles, protocol 2, a dict
 * with byte-string keys {@code data} (numpy uint8 array (n, 3072) rebuilt through
 * {@code numpy.core.multiarray._reconstruct}), {@code labels}, {@code batch_label} and {@code filenames}.
 * Python 3 reads them with {@code pickle.load(f, encoding='bytes')} as torchvision does.
 */
public final class CifarPickleWriter {
    private CifarPickleWriter() {}

    public static Path write(Path folder, CifarSplit train, CifarSplit test) {
        try {
            Files.createDirectories(folder);
            int files = CifarPickleReader.TRAIN_FILES.size();
            int from = 0;
            for (int f = 0; f < files; f++) {
                int to = (int) ((long) train.size() * (f + 1) / files);
                writeAtomically(
                        folder.resolve(CifarPickleReader.TRAIN_FILES.get(f)),
                        batchPickle(train, from, to, "training batch " + (f + 1) + " of " + files));
                from = to;
            }
            writeAtomically(
                    folder.resolve(CifarPickleReader.TEST_FILE),
                    batchPickle(test, 0, test.size(), "testing batch 1 of 1"));
            writeAtomically(folder.resolve(CifarPickleReader.META_FILE), metaPickle());
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot write " + CifarPickleReader.FOLDER + " to " + folder.toAbsolutePath(), e);
        }
    }

    private static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static byte[] batchPickle(CifarSplit split, int from, int to, String batchLabel) {
        int n = to - from;
        Opcodes p = new Opcodes();
        p.raw(0x80, 2).raw('}').raw('(');
        p.str("data");
        p.global("numpy.core.multiarray", "_reconstruct")
                .global("numpy", "ndarray")
                .integer(0)
                .raw(0x85)
                .str("b")
                .raw(0x87)
                .raw('R');
        p.raw('(').integer(1).integer(n).integer(ImageGeometry.BYTES_PER_IMAGE).raw(0x86);
        p.global("numpy", "dtype").str("u1").integer(0).integer(1).raw(0x87).raw('R');
        p.raw('(')
                .integer(3)
                .str("|")
                .raw('N')
                .raw('N')
                .raw('N')
                .integer(-1)
                .integer(-1)
                .integer(0)
                .raw('t')
                .raw('b');
        p.raw(0x89); // False: C order
        p.binstring(split.pixels(), from * ImageGeometry.BYTES_PER_IMAGE, n * ImageGeometry.BYTES_PER_IMAGE);
        p.raw('t').raw('b');
        p.str("labels").raw(']').raw('(');
        for (int i = from; i < to; i++) {
            p.integer(split.labels()[i]);
        }
        p.raw('e');
        p.str("batch_label").str(batchLabel);
        p.str("filenames").raw(']').raw('(');
        for (int i = from; i < to; i++) {
            p.str("synthetic_" + i + ".png");
        }
        p.raw('e');
        p.raw('u').raw('.');
        return p.bytes();
    }

    static byte[] metaPickle() {
        Opcodes p = new Opcodes();
        p.raw(0x80, 2).raw('}').raw('(');
        p.str("num_cases_per_batch").integer(CifarBinaryLayout.OFFICIAL_RECORDS_PER_FILE);
        p.str("label_names").raw(']').raw('(');
        for (String name : CifarBinaryLayout.CLASS_NAMES) {
            p.str(name);
        }
        p.raw('e');
        p.str("num_vis").integer(ImageGeometry.BYTES_PER_IMAGE);
        p.raw('u').raw('.');
        return p.bytes();
    }

    /** The few pickle opcodes the official files use. */
    private static final class Opcodes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Opcodes raw(int... bytes) {
            for (int b : bytes) {
                out.write(b);
            }
            return this;
        }

        Opcodes global(String module, String name) {
            out.write('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        Opcodes integer(int v) {
            if (v >= 0 && v < 256) {
                return raw('K', v);
            }
            if (v >= 0 && v < 65536) {
                return raw('M', v & 0xff, v >>> 8);
            }
            return raw('J', v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
        }

        Opcodes str(String s) {
            byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
            return binstring(b, 0, b.length);
        }

        Opcodes binstring(byte[] data, int offset, int length) {
            if (length < 256) {
                raw('U', length);
            } else {
                raw('T', length & 0xff, (length >>> 8) & 0xff, (length >>> 16) & 0xff, length >>> 24);
            }
            out.write(data, offset, length);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
