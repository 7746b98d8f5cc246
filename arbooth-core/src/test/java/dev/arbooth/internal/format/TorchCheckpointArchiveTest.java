package dev.arbooth.internal.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.FormatException;
import dev.arbooth.tensor.DType;
import dev.arbooth.tensor.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Archive variants torch or other tools may produce: deflated records, zip64, files above 2 GiB. */
class TorchCheckpointArchiveTest {
    @TempDir
    Path tmp;

    /**
     * {@code OrderedDict(w=[2,3] F32 over storage 0, wt=w.T (strides (1, 3)),
     * p=Parameter(I64 storage 1 [offset 1, shape 3]))}, in protocol 4 with a BUILD of {@code _metadata}.
     */
    private static byte[] pickle() {
        PickleBuilder b = new PickleBuilder()
                .proto(4)
                .global("collections", "OrderedDict")
                .op(0x94)
                .op(0x29, 0x81) // EMPTY_TUPLE NEWOBJ
                .mark()
                .shortStr("w")
                .tensor("FloatStorage", "0", 6, 0, new long[] {2, 3}, new long[] {3, 1})
                .shortStr("wt")
                .tensor("FloatStorage", "0", 6, 0, new long[] {3, 2}, new long[] {1, 3})
                .shortStr("p")
                .global("torch._utils", "_rebuild_parameter")
                .mark()
                .tensor("LongStorage", "1", 4, 1, new long[] {3}, new long[] {1})
                .bool(true)
                .global("collections", "OrderedDict")
                .emptyTuple()
                .reduce()
                .tuple()
                .reduce()
                .setItems();
        // BUILD with (state, slotstate): ({'_metadata': {'': {'version': 1}}}, None)
        b.mark()
                .shortStr("_metadata")
                .mark()
                .shortStr("")
                .mark()
                .shortStr("version")
                .integer(1);
        b.op('d').op('d').op('d').op('N').op(0x86).op('b');
        return b.stop().bytes();
    }

    private static Map<String, byte[]> records() {
        ByteBuffer f = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) {
            f.putFloat(i);
        }
        ByteBuffer l = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 4; i++) {
            l.putLong(10 + i);
        }
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("0", f.array());
        m.put("1", l.array());
        return m;
    }

    private static void assertContent(Path file, boolean mapped) {
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(file)) {
            StateDict sd = ckpt.stateDict();
            assertThat(sd.names()).containsExactly("w", "wt", "p");
            assertThat(sd.get("w").toFloatArray()).containsExactly(0, 1, 2, 3, 4, 5);
            assertThat(sd.get("w").data().isDirect()).isEqualTo(mapped);
            assertThat(sd.shape("wt")).containsExactly(3, 2);
            assertThat(sd.get("wt").toFloatArray()).containsExactly(0, 3, 1, 4, 2, 5);
            assertThat(sd.dtype("p")).isEqualTo(DType.I64);
            assertThat(sd.get("p").toLongArray()).containsExactly(11, 12, 13);
        }
    }

    @Test
    void storedArchiveWithProtocol4ParameterAndMetadata() throws IOException {
        Path file = tmp.resolve("model.pt");
        TorchZipWriter.writeCheckpoint(file, "archive", pickle(), records());
        assertContent(file, true);
    }

    @Test
    void doubleShortAndCharStoragesAndBareStorages() throws IOException {
        byte[] pickle = new PickleBuilder()
                .proto(2)
                .emptyDict()
                .mark()
                .str("f64")
                .tensor("DoubleStorage", "0", 2, 0, new long[] {2}, new long[] {1})
                .str("i16")
                .tensor("ShortStorage", "1", 3, 0, new long[] {3, 1}, new long[] {1, 1})
                .str("i8")
                .tensor("CharStorage", "2", 2, 1, new long[] {1}, new long[] {1})
                .str("storage") // a bare storage: a 1-D tensor of all its elements
                .mark()
                .str("storage")
                .global("torch", "CharStorage")
                .str("2")
                .str("cuda:0")
                .integer(2)
                .tuple()
                .op('Q')
                .setItems()
                .stop()
                .bytes();
        Map<String, byte[]> records = new LinkedHashMap<>();
        records.put(
                "0",
                ByteBuffer.allocate(16)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putDouble(Math.PI)
                        .putDouble(-0.0)
                        .array());
        records.put(
                "1",
                ByteBuffer.allocate(6)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putShort((short) -32768)
                        .putShort((short) 7)
                        .putShort((short) 32767)
                        .array());
        records.put("2", new byte[] {-128, 127});
        Path file = tmp.resolve("types.pth");
        TorchZipWriter.writeCheckpoint(file, "types", pickle, records);
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(file)) {
            Map<?, ?> root = (Map<?, ?>) ckpt.root();
            Tensor f64 = (Tensor) root.get("f64");
            assertThat(f64.dtype()).isEqualTo(DType.F64);
            assertThat(f64.toDoubleArray()).containsExactly(Math.PI, -0.0);
            Tensor i16 = (Tensor) root.get("i16");
            assertThat(i16.dtype()).isEqualTo(DType.I16);
            assertThat(i16.shape()).containsExactly(3, 1);
            assertThat(i16.toLongArray()).containsExactly(-32768, 7, 32767);
            Tensor i8 = (Tensor) root.get("i8");
            assertThat(i8.dtype()).isEqualTo(DType.I8);
            assertThat(i8.toLongArray()).containsExactly(127);
            assertThat(((Tensor) root.get("storage")).toLongArray()).containsExactly(-128, 127);
            assertThatThrownBy(ckpt::stateDict)
                    .isInstanceOf(FormatException.class)
                    .hasMessageContaining("its entry 'storage' is a storage, not a tensor");
        }
    }

    @Test
    void deflatedRecordsAreInflated() throws IOException {
        Path file = tmp.resolve("deflated.pth");
        try (OutputStream os = Files.newOutputStream(file);
                ZipOutputStream zip = new ZipOutputStream(os)) {
            zip.putNextEntry(new ZipEntry("deflated/data.pkl"));
            zip.write(pickle());
            for (Map.Entry<String, byte[]> r : records().entrySet()) {
                zip.putNextEntry(new ZipEntry("deflated/data/" + r.getKey()));
                zip.write(r.getValue());
            }
        }
        assertContent(file, false);
        // A corrupted deflate stream or CRC is reported, not silently accepted.
        byte[] bytes = Files.readAllBytes(file);
        int at = indexOf(bytes, "deflated/data/0".getBytes(java.nio.charset.StandardCharsets.US_ASCII)) + 16;
        bytes[at] ^= 0x55;
        Path bad = Files.write(tmp.resolve("bad.pth"), bytes);
        assertThatThrownBy(() -> TorchCheckpoint.open(bad).stateDict().get("w"))
                .isInstanceOf(FormatException.class)
                .hasMessageStartingWith(bad + ": zip entry 'deflated/data/0'");
    }

    @Test
    void zip64ArchiveIsRead() throws IOException {
        Path file = tmp.resolve("z64.pth");
        TorchZipWriter w = new TorchZipWriter().forceZip64().add("z64/data.pkl", pickle());
        records().forEach((k, v) -> w.add("z64/data/" + k, v));
        w.write(file);
        try (ZipFile jdk = new ZipFile(file.toFile())) { // the writer's output is a valid zip64 archive
            assertThat(jdk.size()).isEqualTo(3);
            assertThat(jdk.getInputStream(jdk.getEntry("z64/data/1")).readAllBytes())
                    .isEqualTo(records().get("1"));
        }
        assertContent(file, true);
    }

    @Test
    void archivesAboveTwoGibibytesAreMappedByRange() throws IOException {
        // A sparse file: a 2.2 GB float storage whose last two elements a tensor views, then the pickle.
        long numel = 550_000_000L;
        long bytes = numel * 4;
        byte[] tail = ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putFloat(1.5f)
                .putFloat(-2.5f)
                .array();
        byte[] head = ByteBuffer.allocate(4)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putFloat(7f)
                .array();
        byte[] pickle = new PickleBuilder()
                .proto(2)
                .emptyDict()
                .mark()
                .str("tail")
                .tensor("FloatStorage", "0", numel, numel - 2, new long[] {2}, new long[] {1})
                .str("head")
                .tensor("FloatStorage", "0", numel, 0, new long[] {1, 1}, new long[] {5, 9})
                .setItems()
                .stop()
                .bytes();
        Path file = tmp.resolve("huge.pth");
        new TorchZipWriter()
                .forceZip64()
                .addSparse("huge/data/0", bytes, Map.of(0L, head, bytes - 8, tail)) // CRC of stored data is not checked
                .add("huge/data.pkl", pickle)
                .write(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            assertThat(ch.size()).isGreaterThan(Integer.MAX_VALUE);
        }
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(file)) {
            Map<String, Tensor> sd = ckpt.stateDict().toMap();
            assertThat(sd.get("tail").toFloatArray()).containsExactly(1.5f, -2.5f);
            assertThat(sd.get("head").toFloatArray()).containsExactly(7f);
            assertThat(ckpt.stateDict().shape("head")).containsExactly(1, 1);
        }
    }

    @Test
    void corruptArchivesAreReported() throws IOException {
        Path file = tmp.resolve("model.pth");
        TorchZipWriter.writeCheckpoint(file, "archive", pickle(), records());
        byte[] ok = Files.readAllBytes(file);

        Path cut = Files.write(tmp.resolve("cut.pth"), java.util.Arrays.copyOf(ok, ok.length / 2));
        assertThatThrownBy(() -> TorchCheckpoint.open(cut))
                .isInstanceOf(FormatException.class)
                .hasMessage(cut + ": not a zip archive: no end-of-central-directory record");

        byte[] badCd = ok.clone();
        ByteBuffer.wrap(badCd).order(ByteOrder.LITTLE_ENDIAN).putInt(badCd.length - 22 + 16, 7); // cd offset
        Path cd = Files.write(tmp.resolve("cd.pth"), badCd);
        assertThatThrownBy(() -> TorchCheckpoint.open(cd))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("corrupt zip central directory: entry 0 at 7 is malformed");

        byte[] badLocal = ok.clone();
        byte[] sig = {'P', 'K', 3, 4};
        int second = indexOf(java.util.Arrays.copyOfRange(ok, 4, ok.length), sig) + 4;
        badLocal[second + 3] = 5;
        Path local = Files.write(tmp.resolve("local.pth"), badLocal);
        assertThatThrownBy(() -> TorchCheckpoint.open(local))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("zip entry 'archive/data/0': no local file header at offset " + second);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
