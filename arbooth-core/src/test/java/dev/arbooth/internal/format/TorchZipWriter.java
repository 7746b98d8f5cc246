package dev.arbooth.internal.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Writes STORED zip archives the way torch does (data aligned to 64 bytes by a padding extra field),
 * optionally with zip64 records forced, and with "sparse" entries whose bytes are mostly holes.
 */
final class TorchZipWriter {
    private record Item(String name, long size, Map<Long, byte[]> patches, long crc) {}

    private final List<Item> items = new ArrayList<>();
    private boolean zip64;

    TorchZipWriter forceZip64() {
        zip64 = true;
        return this;
    }

    TorchZipWriter add(String name, byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        items.add(new Item(name, data.length, Map.of(0L, data), crc.getValue()));
        return this;
    }

    /** An entry of {@code size} bytes, zero except for the patches (its CRC is not computed: 0). */
    TorchZipWriter addSparse(String name, long size, Map<Long, byte[]> patches) {
        items.add(new Item(name, size, new LinkedHashMap<>(patches), 0));
        return this;
    }

    /** A torch-like checkpoint: {@code <prefix>/data.pkl}, the records, {@code <prefix>/version}. */
    static void writeCheckpoint(Path file, String prefix, byte[] pickle, Map<String, byte[]> records)
            throws IOException {
        TorchZipWriter w = new TorchZipWriter().add(prefix + "/data.pkl", pickle);
        for (Map.Entry<String, byte[]> r : records.entrySet()) {
            w.add(prefix + "/data/" + r.getKey(), r.getValue());
        }
        w.add(prefix + "/version", "3\n".getBytes(StandardCharsets.US_ASCII)).write(file);
    }

    void write(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            long pos = 0;
            List<Long> offsets = new ArrayList<>();
            for (Item it : items) {
                offsets.add(pos);
                byte[] name = it.name().getBytes(StandardCharsets.UTF_8);
                int z64 = zip64 ? 20 : 0;
                long dataStart = pos + 30 + name.length + z64 + 4;
                int pad = (int) ((64 - dataStart % 64) % 64);
                int extraLen = z64 + 4 + pad;
                ByteBuffer h = le(30 + name.length + extraLen);
                h.putInt(0x04034b50)
                        .putShort((short) (zip64 ? 45 : 20))
                        .putShort((short) 0)
                        .putShort((short) 0);
                h.putShort((short) 0).putShort((short) 0x21).putInt((int) it.crc());
                h.putInt(zip64 ? -1 : (int) it.size()).putInt(zip64 ? -1 : (int) it.size());
                h.putShort((short) name.length).putShort((short) extraLen).put(name);
                if (zip64) {
                    h.putShort((short) 1)
                            .putShort((short) 16)
                            .putLong(it.size())
                            .putLong(it.size());
                }
                h.putShort((short) 0x4246).putShort((short) pad).put(new byte[pad]);
                pos += writeAt(ch, h.flip(), pos);
                for (Map.Entry<Long, byte[]> p : it.patches().entrySet()) {
                    writeAt(ch, ByteBuffer.wrap(p.getValue()), pos + p.getKey());
                }
                pos += it.size();
            }
            long cdStart = pos;
            for (int i = 0; i < items.size(); i++) {
                Item it = items.get(i);
                byte[] name = it.name().getBytes(StandardCharsets.UTF_8);
                int extraLen = zip64 ? 28 : 0;
                ByteBuffer c = le(46 + name.length + extraLen);
                c.putInt(0x02014b50).putShort((short) (zip64 ? 45 : 20)).putShort((short) (zip64 ? 45 : 20));
                c.putShort((short) 0).putShort((short) 0).putShort((short) 0).putShort((short) 0x21);
                c.putInt((int) it.crc());
                c.putInt(zip64 ? -1 : (int) it.size()).putInt(zip64 ? -1 : (int) it.size());
                c.putShort((short) name.length).putShort((short) extraLen).putShort((short) 0);
                c.putShort((short) 0).putShort((short) 0).putInt(0);
                c.putInt(zip64 ? -1 : (int) (long) offsets.get(i)).put(name);
                if (zip64) {
                    c.putShort((short) 1).putShort((short) 24);
                    c.putLong(it.size()).putLong(it.size()).putLong(offsets.get(i));
                }
                pos += writeAt(ch, c.flip(), pos);
            }
            long cdSize = pos - cdStart;
            if (zip64) {
                long z64 = pos;
                ByteBuffer e = le(56 + 20);
                e.putInt(0x06064b50)
                        .putLong(44)
                        .putShort((short) 45)
                        .putShort((short) 45)
                        .putInt(0)
                        .putInt(0);
                e.putLong(items.size()).putLong(items.size()).putLong(cdSize).putLong(cdStart);
                e.putInt(0x07064b50).putInt(0).putLong(z64).putInt(1);
                pos += writeAt(ch, e.flip(), pos);
            }
            ByteBuffer e = le(22);
            int n = zip64 ? 0xFFFF : items.size();
            e.putInt(0x06054b50)
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putShort((short) n)
                    .putShort((short) n);
            e.putInt(zip64 ? -1 : (int) cdSize)
                    .putInt(zip64 ? -1 : (int) cdStart)
                    .putShort((short) 0);
            writeAt(ch, e.flip(), pos);
        }
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static int writeAt(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        int n = b.remaining();
        long p = pos;
        while (b.hasRemaining()) {
            p += ch.write(b, p);
        }
        return n;
    }
}
