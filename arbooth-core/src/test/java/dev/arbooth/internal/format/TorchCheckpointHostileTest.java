package dev.arbooth.internal.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.FormatException;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.internal.pickle.Unpickler;
import dev.arbooth.internal.weights.InfinityWeights;
import dev.arbooth.testing.TestConfigs;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, items 2 and 6: zip offsets near {@code Long.MAX_VALUE} are refused by overflow-safe checks, and
 * small {@code .pth} files cannot take the heap: values created, inflated bytes and materialized copies are
 * bounded by {@link PickleLimits}, refused with a message before the allocation; a real Infinity-8B state
 * dict's pickle passes the default limits.
 */
class TorchCheckpointHostileTest {
    @TempDir
    Path tmp;

    // ------------------------------------------------------------------ item 2: zip offset arithmetic

    /** A valid zip64 torch checkpoint (one 2x2 float tensor), as bytes to patch. */
    private byte[] zip64Checkpoint() throws IOException {
        Path f = tmp.resolve("z64.pth");
        byte[] pickle = stateDict(4, new long[] {2, 2}, new long[] {2, 1}, 0);
        TorchZipWriter w = new TorchZipWriter().forceZip64().add("z/data.pkl", pickle);
        w.add("z/data/0", new byte[16]).write(f);
        assertThat(TorchCheckpoint.open(f).stateDict().names()).containsExactly("w");
        return Files.readAllBytes(f);
    }

    private static byte[] stateDict(long numel, long[] size, long[] stride, long offset) {
        return new PickleBuilder()
                .proto(2)
                .emptyDict()
                .mark()
                .str("w")
                .tensor("FloatStorage", "0", numel, offset, size, stride)
                .setItems()
                .stop()
                .bytes();
    }

    private static int lastIndexOf(byte[] b, int signature) {
        for (int i = b.length - 4; i >= 0; i--) {
            if (ByteBuffer.wrap(b, i, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() == signature) {
                return i;
            }
        }
        throw new AssertionError("signature not found");
    }

    private static byte[] patchLong(byte[] b, int at, long v) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putLong(at, v);
        return c;
    }

    private void refusedAtOpen(byte[] bytes, String why) throws IOException {
        Path f = Files.write(tmp.resolve("bad.pth"), bytes);
        assertThatThrownBy(() -> TorchCheckpoint.open(f).close())
                .isInstanceOf(FormatException.class)
                .hasMessageStartingWith(f + ": ")
                .hasMessageContaining(why);
    }

    @Test
    void zip64OffsetsNearLongMaxAreRefusedNotOverflowed() throws IOException {
        byte[] ok = zip64Checkpoint();
        int z64 = lastIndexOf(ok, 0x06064b50); // zip64 end-of-central-directory record
        int locator = lastIndexOf(ok, 0x07064b50);
        for (long huge : new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 10, Long.MAX_VALUE - 56, 1L << 62}) {
            refusedAtOpen(patchLong(ok, locator + 8, huge), "zip64 end-of-central-directory offset");
            refusedAtOpen(patchLong(ok, z64 + 48, huge), "lies outside the archive"); // central directory offset
            refusedAtOpen(patchLong(ok, z64 + 40, huge), "lies outside the archive"); // central directory size
        }
    }

    @Test
    void zip64ExtraFieldsWithHugeSizesOrOffsetsAreRefusedAtOpen() throws IOException {
        byte[] ok = zip64Checkpoint();
        int central = lastIndexOf(ok, 0x02014b50); // the last entry: z/data/0
        int extra = central + 46 + "z/data/0".length() + 4; // zip64 extra: size, compressed size, local offset
        for (long huge : new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 29, 1L << 40}) {
            byte[] sizes = patchLong(patchLong(ok, extra, huge), extra + 8, huge);
            refusedAtOpen(sizes, "runs into the central directory");
            refusedAtOpen(patchLong(ok, extra + 16, huge), "out-of-range sizes or offset");
        }
    }

    // ------------------------------------------------------------------ item 6: memory budgets

    /** A torch checkpoint whose records are DEFLATED (as a zip tool would write it). */
    private Path deflated(String name, byte[] pickle, Map<String, byte[]> records) throws IOException {
        Path f = tmp.resolve(name);
        try (OutputStream os = Files.newOutputStream(f);
                ZipOutputStream zip = new ZipOutputStream(os)) {
            zip.putNextEntry(new ZipEntry("d/data.pkl"));
            zip.write(pickle);
            for (Map.Entry<String, byte[]> r : records.entrySet()) {
                zip.putNextEntry(new ZipEntry("d/data/" + r.getKey()));
                zip.write(r.getValue());
            }
        }
        return f;
    }

    @Test
    void aSmallPickleCreatingMillionsOfDictsIsRefusedByTheDefaultValueBudget() throws IOException {
        // 20 million "EMPTY_DICT APPEND" pairs: 40 MB of pickle, about 40 KB once deflated
        int n = 20_000_000;
        byte[] pickle = new byte[3 + 2 * n + 1];
        pickle[0] = (byte) 0x80;
        pickle[1] = 2;
        pickle[2] = ']'; // EMPTY_LIST
        for (int i = 0; i < n; i++) {
            pickle[3 + 2 * i] = '}'; // EMPTY_DICT
            pickle[4 + 2 * i] = 'a'; // APPEND
        }
        pickle[pickle.length - 1] = '.';
        Path f = deflated("dicts.pth", pickle, Map.of());
        assertThat(Files.size(f)).isLessThan(200_000);
        assertThatThrownBy(() -> TorchCheckpoint.open(f))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("creates more than " + PickleLimits.DEFAULT_MAX_OBJECTS + " values");
    }

    @Test
    void aDeflatedRecordClaimingMoreThanDeflateCanProduceIsRefusedAtOpen() throws IOException {
        Path f = deflated("claims.pth", stateDict(4, new long[] {4}, new long[] {1}, 0), Map.of("0", new byte[16]));
        byte[] b = Files.readAllBytes(f);
        int central = lastIndexOf(b, 0x02014b50); // d/data/0's central record: uncompressed size at +24
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(central + 24, Integer.MAX_VALUE);
        refusedAtOpen(b, "more than deflate can produce");
    }

    @Test
    void inflatedRecordsAreChargedToTheCopyBudgetBeforeInflating() throws IOException {
        // ten 8 MiB records of zeros (the shape of "ten 1 GiB records", scaled to a 20 MiB budget)
        int mib8 = 8 << 20;
        PickleBuilder p = new PickleBuilder().proto(2).emptyDict().mark();
        Map<String, byte[]> records = new LinkedHashMap<>();
        for (int i = 0; i < 10; i++) {
            p.str("w" + i).tensor("ByteStorage", Integer.toString(i), mib8, 0, new long[] {mib8}, new long[] {1});
            records.put(Integer.toString(i), new byte[mib8]);
        }
        Path f = deflated("ten.pth", p.setItems().stop().bytes(), records);
        assertThat(Files.size(f)).isLessThan(1 << 20);
        PickleLimits budget = PickleLimits.defaults().withMaxCopiedBytes(20L << 20);
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(f, budget)) {
            StateDict sd = ckpt.stateDict();
            assertThat(sd.get("w0").byteSize()).isEqualTo(mib8);
            assertThat(sd.get("w1").byteSize()).isEqualTo(mib8);
            assertThat(sd.get("w0").byteSize()).isEqualTo(mib8); // cached: not charged again
            assertThatThrownBy(() -> sd.get("w2"))
                    .isInstanceOf(FormatException.class)
                    .hasMessageStartingWith(f + ": ")
                    .hasMessageContaining("inflating the compressed storage record 'd/data/2' needs 8388608 bytes")
                    .hasMessageContaining("already holds 16777216 and may hold at most 20971520");
        }
    }

    @Test
    void strideZeroViewsExpandedIntoLargeCopiesAreChargedBeforeTheAllocation() throws IOException {
        // twenty views of one 4-element storage, each expanded (stride 0) to 4 Mi elements of 4 bytes = 16 MiB
        long n = 4L << 20;
        PickleBuilder p = new PickleBuilder().proto(2).emptyDict().mark();
        for (int i = 0; i < 20; i++) {
            p.str("v" + i).tensor("FloatStorage", "0", 4, 0, new long[] {n}, new long[] {0});
        }
        Path f = tmp.resolve("expanded.pth");
        TorchZipWriter.writeCheckpoint(f, "e", p.setItems().stop().bytes(), Map.of("0", new byte[16]));
        assertThat(Files.size(f)).isLessThan(10_000);
        PickleLimits budget = PickleLimits.defaults().withMaxCopiedBytes(40L << 20);
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(f, budget)) {
            StateDict sd = ckpt.stateDict();
            assertThat(sd.get("v0").byteSize()).isEqualTo(16L << 20);
            assertThat(sd.get("v1").byteSize()).isEqualTo(16L << 20);
            assertThatThrownBy(() -> sd.get("v2"))
                    .isInstanceOf(FormatException.class)
                    .hasMessageContaining("the row-major copy of a strided tensor")
                    .hasMessageContaining("needs 16777216 bytes on the heap");
            assertThatThrownBy(ckpt::root) // the whole tree, too
                    .isInstanceOf(FormatException.class)
                    .hasMessageContaining("PickleLimits.maxCopiedBytes");
        }
        // and with the default budget (half the heap: 1.5 GiB under the build's -Xmx3g), a single expansion
        // to almost 2 GiB is refused before its array is allocated
        long elements = (1L << 29) - 4;
        assertThat(PickleLimits.defaults().maxCopiedBytes()).isLessThan(4 * elements);
        PickleBuilder big = new PickleBuilder().proto(2).emptyDict().mark();
        big.str("v").tensor("FloatStorage", "0", 4, 0, new long[] {elements}, new long[] {0});
        Path g = tmp.resolve("big.pth");
        TorchZipWriter.writeCheckpoint(g, "e", big.setItems().stop().bytes(), Map.of("0", new byte[16]));
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(g)) {
            assertThatThrownBy(() -> ckpt.stateDict().get("v"))
                    .isInstanceOf(FormatException.class)
                    .hasMessageContaining("needs " + 4 * elements + " bytes on the heap");
        }
    }

    @Test
    void anInfinity8bTrainingCheckpointsPicklePassesTheDefaultLimitsWithAWideMargin() {
        // the pickle torch.save writes for {"model": Infinity-8B's state dict, "optimizer": AdamW's state, with
        // exp_avg and exp_avg_sq for every parameter}: thousands of tensors
        InfinityConfig c = TestConfigs.infinity8bLayout();
        PickleBuilder p = new PickleBuilder().proto(2).emptyDict().mark().str("model");
        int[] key = {0};
        int params = ordered(p, c, "", key);
        p.str("optimizer").emptyDict().mark().str("state").emptyDict().mark();
        for (int i = 0; i < params; i++) {
            p.integer(i).emptyDict().mark().str("step").integer(1000);
            p.str("exp_avg");
            tensor(p, InfinityWeights.expected(c).get(i).shape(), key);
            p.str("exp_avg_sq");
            tensor(p, InfinityWeights.expected(c).get(i).shape(), key);
            p.setItems();
        }
        p.setItems()
                .str("param_groups")
                .emptyList()
                .emptyDict()
                .mark()
                .str("lr")
                .integer(1)
                .str("params")
                .emptyList();
        p.mark();
        for (int i = 0; i < params; i++) {
            p.integer(i);
        }
        p.appends().setItems().append().setItems(); // param_groups = [{lr, params}]; optimizer = {state, groups}
        byte[] pickle = p.setItems().stop().bytes(); // {model, optimizer}
        int tensors = key[0];
        assertThat(params).isEqualTo(862);
        assertThat(tensors).isEqualTo(3 * 862);
        assertThat(Unpickler.load(null, "8b.pkl", ByteBuffer.wrap(pickle), PickleLimits.defaults()))
                .isNotNull();
        // the smallest object budget it passes: about 30 values per tensor, a fiftieth of the default
        long lo = 1;
        long hi = PickleLimits.DEFAULT_MAX_OBJECTS;
        while (lo < hi) {
            long mid = (lo + hi) / 2;
            try {
                Unpickler.load(
                        null,
                        "8b.pkl",
                        ByteBuffer.wrap(pickle),
                        PickleLimits.defaults().withMaxObjects(mid));
                hi = mid;
            } catch (FormatException e) {
                lo = mid + 1;
            }
        }
        assertThat(lo).isBetween(20L * tensors, 40L * tensors).isLessThan(PickleLimits.DEFAULT_MAX_OBJECTS / 50);
    }

    /** An OrderedDict of the state dict's tensors, as torch.save writes it; returns the tensor count. */
    private static int ordered(PickleBuilder p, InfinityConfig c, String prefix, int[] key) {
        p.global("collections", "OrderedDict").emptyTuple().reduce().mark();
        int n = 0;
        for (TensorSpec spec : InfinityWeights.expected(c)) {
            p.str(prefix + spec.name());
            tensor(p, spec.shape(), key);
            n++;
        }
        p.setItems();
        return n;
    }

    private static void tensor(PickleBuilder p, long[] shape, int[] key) {
        long[] stride = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            stride[i] = s;
            s *= shape[i];
        }
        p.tensor("BFloat16Storage", Integer.toString(key[0]++), s, 0, shape, stride);
    }
}
