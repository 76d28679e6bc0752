package dev.flinkkickstarter.common.avro;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

/**
 * Avro's binary encoding read from one value held in memory, refusing any length the value cannot
 * hold. Avro's {@link BinaryDecoder} allocates whatever a string, bytes, array or map declares
 * before it reads a byte of it (its {@code org.apache.avro.limits.*} properties are global and
 * static, not per value), so a few bytes declaring a 1 GiB string cost 1 GiB of heap. Here a
 * declared length is checked against the bytes left first: a string or bytes longer than that, or a
 * block of more array items or map entries than bytes left (each item takes at least one byte
 * unless its type encodes to nothing, see {@code zeroByteItemBudget}), is refused before anything is
 * allocated: a {@link DeclaredLengthException} if it is more than the whole value holds (a lie), an
 * {@link EOFException} otherwise (the value was cut short). So decoding a value allocates at most a
 * small multiple of its own size.
 *
 * <p>Reusable: {@link #reset} points it at the next value. Not thread-safe.
 */
final class BoundedBinaryDecoder extends Decoder {

    private final long zeroByteItemBudget;
    private byte[] buf = new byte[0];
    private int start;
    private int pos;
    private int limit;
    private long zeroByteItemsLeft;

    /**
     * @param zeroByteItemBudget how many array items beyond the bytes left one value may declare, for
     *     writer schemas whose arrays hold items that encode to no bytes at all (e.g. {@code null});
     *     0 when no array of the schema can.
     */
    BoundedBinaryDecoder(long zeroByteItemBudget) {
        this.zeroByteItemBudget = zeroByteItemBudget;
    }

    /** Decodes {@code length} bytes of {@code value} from {@code offset} next. */
    BoundedBinaryDecoder reset(byte[] value, int offset, int length) {
        this.buf = value;
        this.start = offset;
        this.pos = offset;
        this.limit = offset + length;
        this.zeroByteItemsLeft = zeroByteItemBudget;
        return this;
    }

    /** True if every byte of the value has been read. */
    boolean isEnd() {
        return pos == limit;
    }

    @Override
    public void readNull() {}

    @Override
    public boolean readBoolean() throws IOException {
        require(1);
        int b = buf[pos++];
        if (b != 0 && b != 1) {
            throw new IOException("Invalid boolean byte " + b);
        }
        return b == 1;
    }

    @Override
    public int readInt() throws IOException {
        int shift = 0;
        int raw = 0;
        while (true) {
            require(1);
            int b = buf[pos++] & 0xff;
            raw |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
            shift += 7;
            if (shift > 28) {
                throw new IOException("Invalid int encoding: more than 5 bytes");
            }
        }
    }

    @Override
    public long readLong() throws IOException {
        int shift = 0;
        long raw = 0;
        while (true) {
            require(1);
            long b = buf[pos++] & 0xff;
            raw |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
            shift += 7;
            if (shift > 63) {
                throw new IOException("Invalid long encoding: more than 10 bytes");
            }
        }
    }

    @Override
    public float readFloat() throws IOException {
        require(4);
        int bits = (buf[pos] & 0xff)
                | (buf[pos + 1] & 0xff) << 8
                | (buf[pos + 2] & 0xff) << 16
                | (buf[pos + 3] & 0xff) << 24;
        pos += 4;
        return Float.intBitsToFloat(bits);
    }

    @Override
    public double readDouble() throws IOException {
        require(8);
        long bits = 0;
        for (int i = 7; i >= 0; i--) {
            bits = bits << 8 | (buf[pos + i] & 0xff);
        }
        pos += 8;
        return Double.longBitsToDouble(bits);
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        int length = declaredByteLength("string");
        Utf8 result = old != null ? old : new Utf8();
        result.setByteLength(length);
        System.arraycopy(buf, pos, result.getBytes(), 0, length);
        pos += length;
        return result;
    }

    @Override
    public String readString() throws IOException {
        int length = declaredByteLength("string");
        String result = new String(buf, pos, length, StandardCharsets.UTF_8);
        pos += length;
        return result;
    }

    @Override
    public void skipString() throws IOException {
        int length = declaredByteLength("string");
        pos += length;
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        int length = declaredByteLength("bytes");
        ByteBuffer result;
        if (old != null && old.capacity() >= length) {
            result = old;
            result.clear();
        } else {
            result = ByteBuffer.allocate(length);
        }
        result.put(buf, pos, length).flip();
        pos += length;
        return result;
    }

    @Override
    public void skipBytes() throws IOException {
        int length = declaredByteLength("bytes");
        pos += length;
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws IOException {
        require(length);
        System.arraycopy(buf, pos, bytes, start, length);
        pos += length;
    }

    @Override
    public void skipFixed(int length) throws IOException {
        require(length);
        pos += length;
    }

    @Override
    public int readEnum() throws IOException {
        return readInt();
    }

    @Override
    public long readArrayStart() throws IOException {
        return itemCount("array");
    }

    @Override
    public long arrayNext() throws IOException {
        return itemCount("array");
    }

    @Override
    public long skipArray() throws IOException {
        return skipItems("array");
    }

    @Override
    public long readMapStart() throws IOException {
        return itemCount("map");
    }

    @Override
    public long mapNext() throws IOException {
        return itemCount("map");
    }

    @Override
    public long skipMap() throws IOException {
        return skipItems("map");
    }

    @Override
    public int readIndex() throws IOException {
        return readInt();
    }

    /** A string's or bytes' length, checked against the bytes left. */
    private int declaredByteLength(String what) throws IOException {
        long length = readLong();
        if (length < 0) {
            throw new DeclaredLengthException(what + " declares a negative length " + length);
        }
        checkFits(what + " declares " + length + " bytes", length);
        return (int) length;
    }

    /** The item count of the next block; a block with a byte size (negative count) has its size skipped. */
    private long itemCount(String what) throws IOException {
        long count = readLong();
        if (count < 0) {
            if (count == Long.MIN_VALUE) {
                throw new DeclaredLengthException(what + " block declares an invalid item count " + count);
            }
            count = -count;
            readLong(); // the block's size in bytes, not needed to read its items
        }
        checkItemCount(what, count);
        return count;
    }

    /** Skips blocks that carry their byte size; returns the count of the first block that must be read item by item. */
    private long skipItems(String what) throws IOException {
        while (true) {
            long count = readLong();
            if (count >= 0) {
                checkItemCount(what, count);
                return count;
            }
            long size = readLong();
            if (size < 0) {
                throw new DeclaredLengthException(what + " block declares a negative size " + size);
            }
            checkFits(what + " block declares " + size + " bytes", size);
            pos += (int) size;
        }
    }

    private void checkItemCount(String what, long count) throws IOException {
        long left = limit - pos;
        // Only items that encode to no bytes (null, say) can outnumber the bytes left; they get a budget per value.
        if (count > left && count - left <= zeroByteItemsLeft) {
            zeroByteItemsLeft -= count - left;
            return;
        }
        checkFits(what + " block declares " + count + " items", count);
    }

    /**
     * Fails unless {@code declared} (bytes, or items of at least a byte each) fits in the bytes left.
     * More than the whole value could ever hold is a lie ({@link DeclaredLengthException}); less than
     * that, the value may just have been cut short ({@link EOFException}).
     */
    private void checkFits(String declaration, long declared) throws IOException {
        long left = limit - pos;
        if (declared <= left) {
            return;
        }
        String message = declaration + " but only " + left + " are left in the value";
        if (declared > limit - start) {
            throw new DeclaredLengthException(message + " of " + (limit - start));
        }
        throw new EOFException(message);
    }

    private void require(int bytes) throws EOFException {
        if (bytes > limit - pos) {
            throw new EOFException("value ends " + (bytes - (limit - pos)) + " byte(s) early");
        }
    }

    /** A declared length the value cannot hold: nothing was allocated for it. */
    static final class DeclaredLengthException extends IOException {

        private static final long serialVersionUID = 1L;

        DeclaredLengthException(String message) {
            super(message);
        }
    }
}
