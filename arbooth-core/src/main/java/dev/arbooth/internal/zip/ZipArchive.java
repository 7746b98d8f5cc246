package dev.arbooth.internal.zip;

import dev.arbooth.FormatException;
import dev.arbooth.internal.io.MappedFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A read-only zip archive (zip64 included) read through its central directory, with each entry's data
 * located from its local header so that STORED entries can be memory-mapped in place.
 *
 * <p>Archives up to 2 GiB are mapped whole once; larger ones keep the channel open and map the requested
 * ranges on demand. DEFLATED entries are inflated into the heap (size-limited, CRC-checked). Encrypted,
 * multi-disk and other compression methods are refused.
 */
public final class ZipArchive implements AutoCloseable {
    /** Compression method: stored. */
    public static final int STORED = 0;
    /** Compression method: deflate. */
    public static final int DEFLATED = 8;

    private static final int LOCAL_SIG = 0x04034b50;
    private static final int CENTRAL_SIG = 0x02014b50;
    private static final int EOCD_SIG = 0x06054b50;
    private static final int ZIP64_EOCD_SIG = 0x06064b50;
    private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int EOCD_SIZE = 22;
    private static final int MAX_COMMENT = 0xFFFF;
    private static final long MAX_ENTRIES = 10_000_000L;
    private static final int MAX_HEAP_ENTRY = Integer.MAX_VALUE - 8;
    /** Deflate expands at most about 1032-fold (258-byte matches in 2-bit codes); 1100 leaves room. */
    private static final long MAX_DEFLATE_RATIO = 1100;
    /** Plus a constant for tiny streams (headers, stored blocks). */
    private static final long MAX_DEFLATE_SLACK = 1 << 16;

    /**
     * One entry of the archive.
     *
     * @param name the entry name
     * @param method {@link #STORED} or {@link #DEFLATED}
     * @param crc the CRC-32 of the uncompressed data
     * @param compressedSize the stored size in bytes
     * @param size the uncompressed size in bytes
     * @param dataOffset the file offset of the entry's (possibly compressed) data
     */
    public record Entry(String name, int method, long crc, long compressedSize, long size, long dataOffset) {}

    private final Path file;
    private final Map<String, Entry> entries;
    private final MappedFile mapped;

    private ZipArchive(Path file, Map<String, Entry> entries, MappedFile mapped) {
        this.file = file;
        this.entries = entries;
        this.mapped = mapped;
    }

    /**
     * Opens an archive and reads its central directory and every local header.
     *
     * @param file the archive
     * @return the open archive; close it to release the channel of archives above 2 GiB
     * @throws FormatException if the file is missing, not a zip archive, or malformed
     */
    public static ZipArchive open(Path file) {
        MappedFile mapped = MappedFile.open(file, "no such file", "cannot open", "cannot read zip archive");
        boolean opened = false;
        try {
            Map<String, Entry> entries = readDirectory(new Reader(mapped));
            ZipArchive zip = new ZipArchive(file, Collections.unmodifiableMap(entries), mapped);
            opened = true;
            return zip;
        } catch (IOException e) {
            throw new FormatException(file, "cannot read zip archive: " + e.getMessage(), e);
        } finally {
            if (!opened) {
                mapped.close();
            }
        }
    }

    private static Map<String, Entry> readDirectory(Reader r) throws IOException {
        Path file = r.file;
        long size = r.size;
        if (size < EOCD_SIZE) {
            throw new FormatException(file, "not a zip archive: only " + size + " bytes");
        }
        long tailLen = Math.min(size, EOCD_SIZE + MAX_COMMENT);
        ByteBuffer tail = r.read(size - tailLen, (int) tailLen);
        long eocd = -1;
        for (int i = (int) tailLen - EOCD_SIZE; i >= 0; i--) {
            if (tail.getInt(i) == EOCD_SIG && i + EOCD_SIZE + (tail.getShort(i + 20) & 0xFFFF) == tailLen) {
                eocd = size - tailLen + i;
                break;
            }
        }
        if (eocd < 0) {
            throw new FormatException(file, "not a zip archive: no end-of-central-directory record");
        }
        ByteBuffer e = r.read(eocd, EOCD_SIZE);
        int disk = e.getShort(4) & 0xFFFF;
        int cdDisk = e.getShort(6) & 0xFFFF;
        long count = e.getShort(10) & 0xFFFF;
        long cdSize = e.getInt(12) & 0xFFFFFFFFL;
        long cdOffset = e.getInt(16) & 0xFFFFFFFFL;
        if (eocd >= 20 && r.read(eocd - 20, 4).getInt(0) == ZIP64_LOCATOR_SIG) {
            ByteBuffer loc = r.read(eocd - 20, 20);
            long z64 = loc.getLong(8);
            if (z64 < 0 || z64 > eocd - 20 - 56) {
                throw new FormatException(file, "zip64 end-of-central-directory offset " + z64 + " out of bounds");
            }
            ByteBuffer z = r.read(z64, 56);
            if (z.getInt(0) != ZIP64_EOCD_SIG) {
                throw new FormatException(file, "missing zip64 end-of-central-directory record at " + z64);
            }
            disk = z.getInt(16);
            cdDisk = z.getInt(20);
            count = z.getLong(32);
            cdSize = z.getLong(40);
            cdOffset = z.getLong(48);
        }
        if (disk != 0 || cdDisk != 0) {
            throw new FormatException(file, "multi-disk zip archives are not supported");
        }
        if (count < 0 || count > MAX_ENTRIES) {
            throw new FormatException(file, "zip archive claims " + count + " entries (limit " + MAX_ENTRIES + ")");
        }
        if (cdOffset < 0 || cdSize < 0 || cdOffset > eocd || cdSize > eocd - cdOffset || cdSize > Integer.MAX_VALUE) {
            throw new FormatException(
                    file,
                    "zip central directory [" + cdOffset + ", +" + cdSize + ") lies outside the archive (end record at "
                            + eocd + ")");
        }
        ByteBuffer cd = r.read(cdOffset, (int) cdSize);
        Map<String, Entry> entries = new LinkedHashMap<>();
        int p = 0; // every int position below is at most cdSize (< 2^31) plus three 16-bit lengths: long math
        for (long i = 0; i < count; i++) {
            if (p + 46L > cdSize || cd.getInt(p) != CENTRAL_SIG) {
                throw new FormatException(
                        file, "corrupt zip central directory: entry " + i + " at " + (cdOffset + p) + " is malformed");
            }
            int flags = cd.getShort(p + 8) & 0xFFFF;
            int method = cd.getShort(p + 10) & 0xFFFF;
            long crc = cd.getInt(p + 16) & 0xFFFFFFFFL;
            long comp = cd.getInt(p + 20) & 0xFFFFFFFFL;
            long uncomp = cd.getInt(p + 24) & 0xFFFFFFFFL;
            int nameLen = cd.getShort(p + 28) & 0xFFFF;
            int extraLen = cd.getShort(p + 30) & 0xFFFF;
            int commentLen = cd.getShort(p + 32) & 0xFFFF;
            long local = cd.getInt(p + 42) & 0xFFFFFFFFL;
            long endL = p + 46L + nameLen + extraLen + commentLen;
            if (endL > cdSize) {
                throw new FormatException(
                        file, "corrupt zip central directory: entry " + i + " runs past the directory's end");
            }
            Charset cs = (flags & 0x800) != 0 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
            byte[] nameBytes = new byte[nameLen];
            cd.get(p + 46, nameBytes);
            String name = new String(nameBytes, cs);
            // zip64 extended information: the fields saturated in the fixed part, in this order.
            int end = (int) endL;
            int x = p + 46 + nameLen;
            int xEnd = x + extraLen;
            while (x + 4L <= xEnd) {
                int id = cd.getShort(x) & 0xFFFF;
                int len = cd.getShort(x + 2) & 0xFFFF;
                if (x + 4L + len > xEnd) {
                    break;
                }
                if (id == 0x0001) {
                    int q = x + 4;
                    int qEnd = q + len;
                    if (uncomp == 0xFFFFFFFFL && q + 8L <= qEnd) {
                        uncomp = cd.getLong(q);
                        q += 8;
                    }
                    if (comp == 0xFFFFFFFFL && q + 8L <= qEnd) {
                        comp = cd.getLong(q);
                        q += 8;
                    }
                    if (local == 0xFFFFFFFFL && q + 8L <= qEnd) {
                        local = cd.getLong(q);
                    }
                }
                x += 4 + len;
            }
            p = end;
            if ((flags & 0x1) != 0) {
                throw new FormatException(file, "zip entry '" + name + "' is encrypted");
            }
            if (method != STORED && method != DEFLATED) {
                throw new FormatException(
                        file,
                        "zip entry '" + name + "' uses compression method " + method
                                + "; only stored (0) and deflated (8) are supported");
            }
            if (comp < 0 || uncomp < 0 || local < 0 || local > cdOffset - 30) {
                throw new FormatException(file, "zip entry '" + name + "' has out-of-range sizes or offset");
            }
            if (method == STORED && comp != uncomp) {
                throw new FormatException(
                        file, "stored zip entry '" + name + "' has compressed size " + comp + " != size " + uncomp);
            }
            ByteBuffer lh = r.read(local, 30);
            if (lh.getInt(0) != LOCAL_SIG) {
                throw new FormatException(file, "zip entry '" + name + "': no local file header at offset " + local);
            }
            long dataOffset = local + 30 + (lh.getShort(26) & 0xFFFF) + (lh.getShort(28) & 0xFFFF);
            if (comp > cdOffset - dataOffset) {
                throw new FormatException(
                        file,
                        "zip entry '" + name + "': data [" + dataOffset + ", +" + comp
                                + ") runs into the central directory at " + cdOffset + " (truncated archive?)");
            }
            if (method == DEFLATED && uncomp > comp * MAX_DEFLATE_RATIO + MAX_DEFLATE_SLACK) {
                // comp <= the file's size here, so the product cannot overflow
                throw new FormatException(
                        file,
                        "deflated zip entry '" + name + "' declares " + uncomp + " bytes, more than deflate can"
                                + " produce from its " + comp + " compressed bytes (a corrupt or hostile size)");
            }
            if (entries.put(name, new Entry(name, method, crc, comp, uncomp, dataOffset)) != null) {
                throw new FormatException(file, "duplicate zip entry '" + name + "'");
            }
        }
        return entries;
    }

    /**
     * The archive file.
     *
     * @return the path
     */
    public Path file() {
        return file;
    }

    /**
     * All entries, in central-directory order.
     *
     * @return the entries by name
     */
    public Map<String, Entry> entries() {
        return entries;
    }

    /**
     * One entry.
     *
     * @param name the entry name
     * @return the entry, or {@code null} if there is none of that name
     */
    public Entry entry(String name) {
        return entries.get(name);
    }

    /**
     * A range of a STORED entry's data as a view of the file (no copy).
     *
     * @param e a stored entry of this archive
     * @param offset the first byte within the entry
     * @param length the number of bytes (below 2 GiB)
     * @return a read-only little-endian buffer of exactly {@code length} bytes
     * @throws IllegalArgumentException if the entry is compressed or the range exceeds it
     */
    public ByteBuffer map(Entry e, long offset, long length) {
        mapped.checkOpen();
        if (e.method() != STORED) {
            throw new IllegalArgumentException("entry '" + e.name() + "' is compressed; use read()");
        }
        if (offset < 0 || length < 0 || offset > e.size() || length > e.size() - offset || length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("range [" + offset + ", +" + length + ") outside entry '" + e.name()
                    + "' of " + e.size() + " bytes");
        }
        try {
            return mapped.slice(e.dataOffset() + offset, length).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException ex) {
            throw new FormatException(file, "cannot map zip entry '" + e.name() + "': " + ex.getMessage(), ex);
        }
    }

    /**
     * An entry's whole uncompressed data: a view of the file for STORED entries, a CRC-checked inflated heap
     * copy for DEFLATED ones.
     *
     * @param e an entry of this archive (below 2 GiB uncompressed)
     * @return a read-only little-endian buffer of exactly {@code e.size()} bytes
     * @throws FormatException if the entry is too large, its deflate stream is corrupt or its CRC is wrong
     */
    public ByteBuffer read(Entry e) {
        mapped.checkOpen();
        if (e.size() > MAX_HEAP_ENTRY) {
            throw new FormatException(
                    file,
                    "zip entry '" + e.name() + "' is " + e.size()
                            + " bytes; entries of 2 GiB or more cannot be read whole");
        }
        if (e.method() == STORED) {
            return map(e, 0, e.size()).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }
        if (e.compressedSize() > MAX_HEAP_ENTRY) {
            throw new FormatException(file, "compressed zip entry '" + e.name() + "' is too large");
        }
        ByteBuffer src;
        try {
            src = new Reader(mapped).read(e.dataOffset(), (int) e.compressedSize());
        } catch (IOException ex) {
            throw new FormatException(file, "cannot read zip entry '" + e.name() + "': " + ex.getMessage(), ex);
        }
        byte[] out = new byte[(int) e.size()];
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(src);
            int n = 0;
            while (n < out.length) {
                int k = inf.inflate(out, n, out.length - n);
                if (k == 0 && (inf.finished() || inf.needsInput() || inf.needsDictionary())) {
                    break;
                }
                n += k;
            }
            byte[] probe = new byte[1];
            if (n != out.length || (!inf.finished() && inf.inflate(probe) > 0)) {
                throw new FormatException(
                        file, "zip entry '" + e.name() + "' does not inflate to its declared " + e.size() + " bytes");
            }
        } catch (DataFormatException ex) {
            throw new FormatException(
                    file, "zip entry '" + e.name() + "': corrupt deflate data: " + ex.getMessage(), ex);
        } finally {
            inf.end();
        }
        CRC32 crc = new CRC32();
        crc.update(out);
        if (crc.getValue() != e.crc()) {
            throw new FormatException(file, "zip entry '" + e.name() + "': CRC mismatch (corrupt archive)");
        }
        return ByteBuffer.wrap(out).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Closes the archive. Idempotent; buffers obtained earlier stay readable. */
    @Override
    public void close() {
        mapped.close();
    }

    /** Bounds-checked little-endian reads from the mapping or the channel. */
    private static final class Reader {
        final Path file;
        final long size;
        final MappedFile mapped;

        Reader(MappedFile mapped) {
            this.file = mapped.file();
            this.size = mapped.size();
            this.mapped = mapped;
        }

        ByteBuffer read(long pos, int len) throws IOException {
            if (pos < 0 || len < 0 || pos > size - len) {
                throw new FormatException(
                        file, "truncated zip archive: needs bytes [" + pos + ", +" + len + ") of " + size);
            }
            return mapped.read(pos, len);
        }
    }
}
