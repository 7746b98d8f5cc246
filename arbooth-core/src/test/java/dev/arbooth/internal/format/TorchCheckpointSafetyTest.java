package dev.arbooth.internal.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.FormatException;
import dev.arbooth.internal.pickle.Unpickler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and broken checkpoints: each must fail with a specific {@link FormatException} naming the file,
 * never execute anything, never overflow the stack or exhaust the heap. Each crafted pickle is tried both
 * inside a torch-like zip (through the public API) and raw (through the interpreter).
 */
class TorchCheckpointSafetyTest {
    @TempDir
    Path tmp;

    /** Checks a pickle both wrapped in a checkpoint and raw; returns the assertion on the zip's error. */
    private AbstractThrowableAssert<?, ? extends Throwable> refused(byte[] pickle, String... fragments)
            throws IOException {
        Path file = tmp.resolve("evil.pth");
        TorchZipWriter.writeCheckpoint(file, "evil", pickle, Map.of());
        Path raw = tmp.resolve("raw.pkl");
        Files.write(raw, pickle);
        assertThatThrownBy(() -> Unpickler.load(raw, "raw.pkl", ByteBuffer.wrap(pickle), PickleLimits.defaults())
                        .toString())
                .isInstanceOf(FormatException.class)
                .hasMessageStartingWith(raw + ": raw.pkl: ")
                .hasMessageContainingAll(fragments);
        return assertThatThrownBy(() -> TorchCheckpoint.open(file).root())
                .isInstanceOf(FormatException.class)
                .hasMessageStartingWith(file + ": ")
                .hasMessageContainingAll(fragments)
                .satisfies(e -> assertThat(((FormatException) e).file()).contains(file));
    }

    @Test
    void osSystemIsRefusedAndNothingRuns() throws IOException {
        Path marker = tmp.resolve("pwned");
        byte[] pickle = new PickleBuilder()
                .proto(2)
                .global("os", "system")
                .str("touch " + marker)
                .op(0x85) // TUPLE1
                .reduce()
                .stop()
                .bytes();
        refused(pickle, "refusing pickle global 'os.system' at byte 2", "nothing was executed");
        assertThat(marker).doesNotExist();
    }

    @Test
    void otherCallablesAreRefusedHoweverTheyAreNamed() throws IOException {
        byte[] eval = new PickleBuilder()
                .proto(2)
                .global("builtins", "eval")
                .str("1+1")
                .op(0x85)
                .reduce()
                .stop()
                .bytes();
        refused(eval, "'builtins.eval'");
        // Protocol 4 spelling: FRAME, SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL.
        byte[] posix = new PickleBuilder()
                .proto(4)
                .op(0x95, 20, 0, 0, 0, 0, 0, 0, 0)
                .shortStr("posix")
                .op(0x94)
                .shortStr("system")
                .op(0x94)
                .op(0x93)
                .shortStr("id")
                .op(0x85)
                .reduce()
                .stop()
                .bytes();
        refused(posix, "refusing pickle global 'posix.system' at byte 28");
        // A whitelisted module with a non-whitelisted name, and an unsupported storage type.
        refused(new PickleBuilder().proto(2).global("torch", "load").stop().bytes(), "'torch.load'");
        refused(
                new PickleBuilder()
                        .proto(2)
                        .global("torch", "ComplexFloatStorage")
                        .stop()
                        .bytes(),
                "unsupported storage type 'torch.ComplexFloatStorage'");
        // A whitelisted global used the wrong way: a storage class called directly.
        refused(
                new PickleBuilder()
                        .proto(2)
                        .global("torch", "FloatStorage")
                        .emptyTuple()
                        .reduce()
                        .stop()
                        .bytes(),
                "torch.FloatStorage is called at byte 23");
    }

    @Test
    void deeplyNestedListsHitTheDepthLimit() throws IOException {
        int n = 1_000_000;
        byte[] pickle = new byte[2 + 2 * n + 1];
        pickle[0] = (byte) 0x80;
        pickle[1] = 2;
        for (int i = 0; i < n; i++) {
            pickle[2 + i] = ']';
            pickle[2 + n + i] = 'a';
        }
        pickle[2 + 2 * n] = '.';
        refused(pickle, "nested deeper than 256 levels");
    }

    @Test
    void nestingBuiltThroughTheMemoIsCaughtByTheWalk() throws IOException {
        // Lists are appended while still empty, then filled through the memo: the chain is 20 000 deep
        // although every APPEND saw a child of height 0.
        int n = 2_000;
        PickleBuilder b = new PickleBuilder().proto(2);
        for (int i = 0; i <= n; i++) {
            b.emptyList().put(i);
        }
        for (int i = 0; i < n; i++) {
            b.get(i).get(i + 1).append();
        }
        byte[] pickle = b.get(0).stop().bytes();
        Path file = tmp.resolve("deep.pth");
        TorchZipWriter.writeCheckpoint(file, "deep", pickle, Map.of());
        assertThatThrownBy(() -> TorchCheckpoint.open(file))
                .isInstanceOf(FormatException.class)
                .hasMessageStartingWith(file + ": ")
                .hasMessageContaining("containers nested deeper than 256 levels (at [0][0][0]");
    }

    @Test
    void exponentialSharedListDagIsRefused() throws IOException {
        // L0 = []; L(i) = [L(i-1), L(i-1)]: 64 lists that expand to 2^65 nodes.
        PickleBuilder b = new PickleBuilder().proto(2).emptyList().put(0);
        for (int i = 1; i <= 64; i++) {
            b.emptyList().put(i).mark().get(i - 1).get(i - 1).appends();
        }
        byte[] pickle = b.stop().bytes();
        Path file = tmp.resolve("dag.pth");
        TorchZipWriter.writeCheckpoint(file, "dag", pickle, Map.of());
        assertThatThrownBy(() -> TorchCheckpoint.open(file))
                .isInstanceOf(FormatException.class)
                .hasMessageStartingWith(file + ": ")
                .hasMessageContaining("more than 20000000 nodes once shared containers are expanded");
        // A tighter limit trips earlier; a looser one admits a moderate DAG, shared in the tree.
        PickleBuilder small = new PickleBuilder().proto(2).emptyList().put(0);
        for (int i = 1; i <= 10; i++) {
            small.emptyList().put(i).mark().get(i - 1).get(i - 1).appends();
        }
        TorchZipWriter.writeCheckpoint(file, "dag", small.stop().bytes(), Map.of());
        assertThatThrownBy(() -> TorchCheckpoint.open(file, new PickleLimits(256, 1000, 1000, 1000)))
                .hasMessageContaining("more than 1000 nodes");
        try (TorchCheckpoint ok = TorchCheckpoint.open(file)) {
            java.util.List<?> top = (java.util.List<?>) ok.root();
            assertThat(top.get(0)).isSameAs(top.get(1));
        }
    }

    @Test
    void cyclesAreRefused() throws IOException {
        byte[] pickle = new PickleBuilder()
                .proto(2)
                .emptyList()
                .put(0)
                .get(0)
                .append()
                .stop()
                .bytes();
        Path file = tmp.resolve("cycle.pth");
        TorchZipWriter.writeCheckpoint(file, "cycle", pickle, Map.of());
        assertThatThrownBy(() -> TorchCheckpoint.open(file))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("contains itself (at [0])");
    }

    @Test
    void unknownAndUnsupportedOpcodesAreRefused() throws IOException {
        refused(new PickleBuilder().proto(2).op(0xff).stop().bytes(), "unknown pickle opcode 0xff at byte 2");
        refused(
                new PickleBuilder().proto(2).mark().op('i').bytes(),
                "pickle opcode INST (0x69) at byte 3 is not supported");
        refused(new PickleBuilder().proto(2).op('I').bytes(), "pickle opcode INT (0x49) at byte 2");
    }

    @Test
    void truncatedPicklesAreReported() throws IOException {
        byte[] full = new PickleBuilder().proto(2).str("hello world").stop().bytes();
        byte[] cut = java.util.Arrays.copyOf(full, 10);
        refused(cut, "BINUNICODE (0x58) at byte 2 needs 11 more bytes but the pickle ends at byte 10 (truncated)");
        byte[] noStop = java.util.Arrays.copyOf(full, full.length - 1);
        refused(noStop, "the pickle ends at byte 18 without a STOP opcode (truncated)");
        refused(
                new PickleBuilder()
                        .proto(2)
                        .op('c')
                        .ascii("collections\nOrderedDi")
                        .bytes(),
                "GLOBAL at byte 2 has no newline-terminated name");
        refused(new PickleBuilder().proto(2).op('h', 7).stop().bytes(), "memo entry 7 read at byte 2 was never stored");
        refused(
                new PickleBuilder().proto(2).op('a').stop().bytes(),
                "APPEND (0x61) at byte 2 pops from an empty stack");
    }

    @Test
    void limitsOnObjectsAndMemoAreEnforced() {
        PickleBuilder b = new PickleBuilder().proto(2).emptyList().mark();
        for (int i = 0; i < 2000; i++) {
            b.integer(i);
        }
        byte[] many = b.appends().stop().bytes();
        PickleLimits tight = new PickleLimits(256, 1000, 1000, 1000);
        assertThatThrownBy(() -> Unpickler.load(null, "p", ByteBuffer.wrap(many), tight))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("creates more than 1000 values");
        assertThat(Unpickler.load(null, "p", ByteBuffer.wrap(many), PickleLimits.defaults()))
                .isNotNull();
        byte[] bigMemo =
                new PickleBuilder().proto(2).emptyList().put(5000).stop().bytes();
        assertThatThrownBy(() -> Unpickler.load(null, "p", ByteBuffer.wrap(bigMemo), tight))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("memo index 5000 at byte 3 exceeds the limit of 1000 entries");
        byte[] huge = new PickleBuilder()
                .proto(2)
                .op(0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1)
                .stop()
                .bytes();
        assertThatThrownBy(() -> Unpickler.load(null, "p", ByteBuffer.wrap(huge), tight))
                .hasMessageContaining("does not fit in 64 bits");
    }

    @Test
    void missingStorageRecordIsReported() throws IOException {
        byte[] pickle = stateDictPickle("7", 4, 0, new long[] {2, 2}, new long[] {2, 1});
        Path file = tmp.resolve("missing.pth");
        TorchZipWriter.writeCheckpoint(file, "missing", pickle, Map.of("0", new byte[16]));
        assertThatThrownBy(() -> TorchCheckpoint.open(file))
                .isInstanceOf(FormatException.class)
                .hasMessageStartingWith(file + ": ")
                .hasMessageContaining(
                        "['w'] refers to storage record 'missing/data/7', which the archive does not" + " contain");
    }

    @Test
    void storageSmallerThanTheTensorIsReported() throws IOException {
        Path file = tmp.resolve("short.pth");
        // The persistent id declares 4 floats but the tensor [2, 3] needs 6.
        TorchZipWriter.writeCheckpoint(
                file,
                "short",
                stateDictPickle("0", 4, 0, new long[] {2, 3}, new long[] {3, 1}),
                Map.of("0", new byte[16]));
        assertThatThrownBy(() -> TorchCheckpoint.open(file))
                .isInstanceOf(FormatException.class)
                .hasMessageStartingWith(file + ": ")
                .hasMessageContaining("tensor ['w'] (F32, shape [2, 3], strides [3, 1], offset 0) reaches element 5"
                        + " but its storage '0' has only 4 elements");
        // The persistent id declares 4 floats but the record holds 12 bytes.
        TorchZipWriter.writeCheckpoint(
                file,
                "short",
                stateDictPickle("0", 4, 0, new long[] {2, 2}, new long[] {2, 1}),
                Map.of("0", new byte[12]));
        assertThatThrownBy(() -> TorchCheckpoint.open(file))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("storage record 'short/data/0' (used by ['w']) has 12 bytes but its persistent id"
                        + " declares 4 F32 elements (16 bytes)");
        // An offset view past the end.
        TorchZipWriter.writeCheckpoint(
                file, "short", stateDictPickle("0", 4, 3, new long[] {2}, new long[] {1}), Map.of("0", new byte[16]));
        assertThatThrownBy(() -> TorchCheckpoint.open(file)).hasMessageContaining("reaches element 4");
    }

    @Test
    void notACheckpointAtAll() throws IOException {
        Path empty = Files.write(tmp.resolve("empty.pth"), new byte[0]);
        assertThatThrownBy(() -> TorchCheckpoint.open(empty))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("does not start with a zip signature");
        Path bare = Files.write(
                tmp.resolve("bare.pkl"),
                new PickleBuilder().proto(2).emptyDict().stop().bytes());
        assertThatThrownBy(() -> TorchCheckpoint.open(bare)).hasMessageContaining("a bare pickle");
        Path zipNoPickle = tmp.resolve("other.zip");
        new TorchZipWriter().add("a/readme.txt", new byte[] {1}).write(zipNoPickle);
        assertThatThrownBy(() -> TorchCheckpoint.open(zipNoPickle))
                .hasMessageContaining("without a '<name>/data.pkl' record")
                .hasMessageContaining("a/readme.txt");
        assertThatThrownBy(() -> TorchCheckpoint.open(tmp.resolve("nope.pth"))).hasMessageContaining("no such file");
        Path big = tmp.resolve("big.pth");
        new TorchZipWriter()
                .add(
                        "big/data.pkl",
                        new PickleBuilder().proto(2).emptyDict().stop().bytes())
                .add("big/byteorder", "big".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .write(big);
        assertThatThrownBy(() -> TorchCheckpoint.open(big)).hasMessageContaining("'big'-endian");
    }

    /** {@code OrderedDict(w=_rebuild_tensor_v2(FloatStorage key/numel, offset, size, stride))}. */
    static byte[] stateDictPickle(String key, long numel, long offset, long[] size, long[] stride) {
        return new PickleBuilder()
                .proto(2)
                .global("collections", "OrderedDict")
                .emptyTuple()
                .reduce()
                .mark()
                .str("w")
                .tensor("FloatStorage", key, numel, offset, size, stride)
                .setItems()
                .stop()
                .bytes();
    }
}
