package dev.cifarpipeline.dataset;

import dev.cifarpipeline.events.ImageGeometry;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.Unpickler;

/**
 * Reads torchvision's {@code cifar-10-batches-py}, the layout the seed itself loads: each of
 * {@code data_batch_1..5} and {@code test_batch} is a pickled dict whose {@code data} is a numpy uint8 array
 * of shape (n, 3072) (CHW per row, as in the binary layout) and whose {@code labels} is a list of n ints.
 * The official files were written by Python 2 (keys and pixel data as byte strings); files re-pickled by
 * Python 3 (protocol 2 with {@code _codecs.encode}, or protocol 3+ with bytes) load too. Validation is as
 * strict as for the binary layout and errors name the file and the key or record.
 */
public final class CifarPickleReader {
    public static final String FOLDER = "cifar-10-batches-py";
    public static final List<String> TRAIN_FILES =
            List.of("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5");
    public static final String TEST_FILE = "test_batch";
    public static final String META_FILE = "batches.meta";

    static {
        IObjectConstructor reconstruct = args -> new NumpyArray();
        for (String module : List.of("numpy.core.multiarray", "numpy._core.multiarray")) {
            Unpickler.registerConstructor(module, "_reconstruct", reconstruct);
        }
        Unpickler.registerConstructor("numpy", "dtype", args -> new NumpyDtype(String.valueOf(args[0])));
        // Python 3 writes bytes at protocol 2 as _codecs.encode(text, 'latin1').
        Unpickler.registerConstructor(
                "_codecs", "encode", args -> String.valueOf(args[0]).getBytes(StandardCharsets.ISO_8859_1));
    }

    private CifarPickleReader() {}

    public static CifarDataset read(Path folder) {
        List<CifarSplit> train = new ArrayList<>();
        for (String name : TRAIN_FILES) {
            train.add(readFile(folder.resolve(name)));
        }
        return new CifarDataset(folder, FOLDER, CifarSplit.concat(train), readFile(folder.resolve(TEST_FILE)));
    }

    public static CifarSplit readFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DatasetLayoutException(file, "file is missing");
        }
        Object root;
        try (InputStream in = Files.newInputStream(file)) {
            root = new BoundedUnpickler(Files.size(file)).load(in);
        } catch (IOException | RuntimeException e) {
            throw new DatasetLayoutException(
                    file, "not a readable pickle (" + e.getMessage() + "); truncated or corrupt?");
        }
        if (!(root instanceof Map<?, ?> rawDict)) {
            throw new DatasetLayoutException(
                    file, "the pickle holds " + typeName(root) + ", expected a dict with 'data' and 'labels'");
        }
        Map<String, Object> dict = new HashMap<>();
        rawDict.forEach((k, v) ->
                dict.put(k instanceof byte[] b ? new String(b, StandardCharsets.ISO_8859_1) : String.valueOf(k), v));
        if (!(dict.get("data") instanceof NumpyArray data)) {
            throw new DatasetLayoutException(
                    file, "key 'data' is " + typeName(dict.get("data")) + ", expected a numpy uint8 array");
        }
        if (!(dict.get("labels") instanceof List<?> labelList)) {
            throw new DatasetLayoutException(
                    file, "key 'labels' is " + typeName(dict.get("labels")) + ", expected a list of ints");
        }
        data.check(file);
        int n = data.rows();
        if (labelList.size() != n) {
            throw new DatasetLayoutException(
                    file, "'data' has " + n + " rows but 'labels' has " + labelList.size() + " entries");
        }
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            Object label = labelList.get(i);
            if (!(label instanceof Number number)
                    || number.longValue() < 0
                    || number.longValue() >= ImageGeometry.CLASSES) {
                throw new DatasetLayoutException(
                        file, "label of record " + i + " is " + label + ", outside the classes 0-9");
            }
            labels[i] = number.byteValue();
        }
        return new CifarSplit(labels, data.bytes);
    }

    private static String typeName(Object o) {
        return o == null ? "missing" : "a " + o.getClass().getSimpleName();
    }

    /** numpy's dtype as the pickle rebuilds it: only uint8 is a CIFAR pixel. */
    /**
     * An unpickler that checks every length a pickle declares against the bytes left in the file before the length is
     * allocated: a 20-byte file declaring a 2 GB string is refused instead of exhausting the heap.
     */
    static final class BoundedUnpickler extends Unpickler {
        private final long fileBytes;
        private CountingStream counted;

        BoundedUnpickler(long fileBytes) {
            this.fileBytes = fileBytes;
        }

        @Override
        public Object load(InputStream stream) throws IOException {
            counted = new CountingStream(new BufferedInputStream(stream));
            return super.load(counted);
        }

        @Override
        protected Object dispatch(short key) throws IOException {
            int lengthBytes = switch (key) {
                case 'T', 'X', 'B', 0x8b -> 4; // BINSTRING, BINUNICODE, BINBYTES, LONG4
                case 0x8d, 0x8e, 0x96 -> 8; // BINUNICODE8, BINBYTES8, BYTEARRAY8
                default -> 0;
            };
            if (lengthBytes > 0) {
                counted.mark(lengthBytes);
                byte[] raw = counted.readNBytes(lengthBytes);
                counted.reset();
                long declared = 0;
                for (int i = raw.length - 1; i >= 0; i--) {
                    declared = (declared << 8) | (raw[i] & 0xff);
                }
                long left = fileBytes - counted.position() - lengthBytes;
                if (raw.length < lengthBytes || declared < 0 || declared > left) {
                    throw new PickleException("opcode 0x" + Integer.toHexString(key) + " at byte "
                            + (counted.position() - 1) + " declares " + declared + " bytes; the file has " + left
                            + " left");
                }
            }
            return super.dispatch(key);
        }
    }

    /** Counts the bytes read, and takes back the count on {@link #reset()}. */
    private static final class CountingStream extends FilterInputStream {
        private long position;
        private long marked;

        CountingStream(InputStream in) {
            super(in);
        }

        long position() {
            return position;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            position += b >= 0 ? 1 : 0;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            position += Math.max(0, n);
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            position += skipped;
            return skipped;
        }

        @Override
        public synchronized void mark(int limit) {
            super.mark(limit);
            marked = position;
        }

        @Override
        public synchronized void reset() throws IOException {
            super.reset();
            position = marked;
        }
    }

    public static final class NumpyDtype {
        final String code;

        NumpyDtype(String code) {
            this.code = code;
        }

        public void __setstate__(Object[] state) {
            // (version, byte order, subarray, names, fields, elsize, alignment, flags): nothing needed for uint8
        }
    }

    /** numpy's ndarray as the pickle rebuilds it through {@code _reconstruct} and {@code __setstate__}. */
    public static final class NumpyArray {
        int[] shape;
        NumpyDtype dtype;
        boolean fortranOrder;
        byte[] bytes;

        /** state = (version, shape, dtype, is_fortran, raw data). */
        public void __setstate__(Object[] state) {
            if (state.length != 5) {
                throw new PickleException("ndarray state has " + state.length + " fields, expected 5");
            }
            Object[] dims = (Object[]) state[1];
            shape = new int[dims.length];
            for (int i = 0; i < dims.length; i++) {
                shape[i] = ((Number) dims[i]).intValue();
            }
            dtype = (NumpyDtype) state[2];
            fortranOrder = Boolean.TRUE.equals(state[3]);
            Object raw = state[4];
            bytes = raw instanceof byte[] b ? b : String.valueOf(raw).getBytes(StandardCharsets.ISO_8859_1);
        }

        int rows() {
            return shape[0];
        }

        void check(Path file) {
            if (dtype == null || !("u1".equals(dtype.code) || "uint8".equals(dtype.code))) {
                throw new DatasetLayoutException(
                        file, "'data' has dtype " + (dtype == null ? "?" : dtype.code) + ", expected uint8 (u1)");
            }
            if (shape.length != 2 || shape[1] != ImageGeometry.BYTES_PER_IMAGE) {
                throw new DatasetLayoutException(
                        file, "'data' has shape " + Arrays.toString(shape) + ", expected (n, 3072)");
            }
            if (shape[0] < 1 || shape[0] > CifarBinaryLayout.OFFICIAL_RECORDS_PER_FILE) {
                throw new DatasetLayoutException(
                        file,
                        "'data' has " + shape[0] + " rows, expected 1.." + CifarBinaryLayout.OFFICIAL_RECORDS_PER_FILE);
            }
            if (fortranOrder) {
                throw new DatasetLayoutException(file, "'data' is in Fortran order; CIFAR-10 rows are C order");
            }
            if (bytes.length != (long) shape[0] * shape[1]) {
                throw new DatasetLayoutException(
                        file,
                        "'data' holds " + bytes.length + " bytes, its shape needs " + (long) shape[0] * shape[1]
                                + " (truncated)");
            }
        }
    }
}
