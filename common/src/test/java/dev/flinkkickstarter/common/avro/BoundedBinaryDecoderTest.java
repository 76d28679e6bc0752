package dev.flinkkickstarter.common.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkkickstarter.common.avro.BoundedBinaryDecoder.DeclaredLengthException;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;

class BoundedBinaryDecoderTest {

    /** Every Avro type, nested, including the block-size encoding of arrays and maps. */
    private static final Schema ALL_TYPES = new Schema.Parser().parse("""
            {"type": "record", "name": "All", "fields": [
              {"name": "n", "type": "null"},
              {"name": "b", "type": "boolean"},
              {"name": "i", "type": "int"},
              {"name": "l", "type": "long"},
              {"name": "f", "type": "float"},
              {"name": "d", "type": "double"},
              {"name": "s", "type": "string"},
              {"name": "by", "type": "bytes"},
              {"name": "fx", "type": {"type": "fixed", "name": "Four", "size": 4}},
              {"name": "e", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN", "BLUE"]}},
              {"name": "a", "type": {"type": "array", "items": "long"}},
              {"name": "m", "type": {"type": "map", "values": "string"}},
              {"name": "u", "type": ["null", "string", "long"]},
              {"name": "r", "type": {"type": "record", "name": "Inner", "fields": [
                {"name": "x", "type": {"type": "array", "items": {"type": "map", "values": "Four"}}}
              ]}}
            ]}""");

    private static final Schema ONLY_LAST = new Schema.Parser()
            .parse("{\"type\": \"record\", \"name\": \"All\", \"fields\": [{\"name\": \"r\","
                    + " \"type\": {\"type\": \"record\", \"name\": \"Inner\", \"fields\": [{\"name\": \"x\", \"type\":"
                    + " {\"type\": \"array\", \"items\": {\"type\": \"map\", \"values\": {\"type\": \"fixed\","
                    + " \"name\": \"Four\", \"size\": 4}}}}]}}]}");

    @Test
    void decodesRandomRecordsOfEveryTypeAsAvroDoes() throws IOException {
        Random random = new Random(42);
        for (int i = 0; i < 2_000; i++) {
            GenericRecord record = randomAllTypes(random);
            for (boolean blocking : new boolean[] {false, true}) {
                byte[] bytes = encode(record, blocking);

                GenericRecord ours = read(ALL_TYPES, ALL_TYPES, bytes, 0);
                GenericRecord avros = new GenericDatumReader<GenericRecord>(ALL_TYPES)
                        .read(null, DecoderFactory.get().binaryDecoder(bytes, null));

                assertThat(ours).isEqualTo(avros).isEqualTo(record);
            }
        }
    }

    @Test
    void skipsWhatTheReaderDoesNotRead() throws IOException {
        Random random = new Random(7);
        for (int i = 0; i < 500; i++) {
            GenericRecord record = randomAllTypes(random);
            for (boolean blocking : new boolean[] {false, true}) {
                byte[] bytes = encode(record, blocking);
                BoundedBinaryDecoder decoder = new BoundedBinaryDecoder(0).reset(bytes, 0, bytes.length);

                GenericRecord skipped = new GenericDatumReader<GenericRecord>(ALL_TYPES, ONLY_LAST).read(null, decoder);

                assertThat(decoder.isEnd()).isTrue();
                assertThat(skipped.get("r").toString())
                        .isEqualTo(record.get("r").toString());
            }
        }
    }

    @Test
    void refusesStringsAndBytesLongerThanTheBytesLeft() throws IOException {
        Schema string = record("{\"name\": \"s\", \"type\": \"string\"}");
        Schema bytes = record("{\"name\": \"b\", \"type\": \"bytes\"}");
        byte[] oneGib = concat(zigzag(1L << 30), new byte[] {'a', 'b', 'c'});

        assertThatThrownBy(() -> read(string, string, oneGib, 0))
                .isInstanceOf(DeclaredLengthException.class)
                .hasMessage("string declares 1073741824 bytes but only 3 are left in the value of 8");
        assertThatThrownBy(() -> read(bytes, bytes, oneGib, 0))
                .isInstanceOf(DeclaredLengthException.class)
                .hasMessage("bytes declares 1073741824 bytes but only 3 are left in the value of 8");
        // Exactly the bytes left is fine.
        assertThat(read(string, string, concat(zigzag(3), new byte[] {'a', 'b', 'c'}), 0)
                        .get("s"))
                .isEqualTo(new Utf8("abc"));
    }

    @Test
    void aLengthTheValueCouldHoldButDoesNotIsACutShortValue() {
        Schema string =
                record("{\"name\": \"first\", \"type\": \"string\"}", "{\"name\": \"s\", \"type\": \"string\"}");
        byte[] cut = concat(zigzag(4), new byte[] {'a', 'b', 'c', 'd'}, zigzag(5), new byte[] {'a', 'b'});

        assertThatThrownBy(() -> read(string, string, cut, 0))
                .isInstanceOf(EOFException.class)
                .isNotInstanceOf(DeclaredLengthException.class)
                .hasMessage("string declares 5 bytes but only 2 are left in the value");
    }

    @Test
    void refusesSkippedStringsLongerThanTheBytesLeft() {
        Schema writer = record("{\"name\": \"s\", \"type\": \"string\"}, {\"name\": \"i\", \"type\": \"int\"}");
        Schema reader = record("{\"name\": \"i\", \"type\": \"int\"}");

        assertThatThrownBy(() -> read(writer, reader, concat(zigzag(1L << 40), new byte[] {2}), 0))
                .isInstanceOf(DeclaredLengthException.class)
                .hasMessageContaining("declares 1099511627776 bytes");
    }

    @Test
    void refusesArrayAndMapBlocksWithMoreItemsThanBytesLeft() {
        Schema array = record("{\"name\": \"a\", \"type\": {\"type\": \"array\", \"items\": \"int\"}}");
        Schema map = record("{\"name\": \"m\", \"type\": {\"type\": \"map\", \"values\": \"int\"}}");
        byte[] billion = concat(zigzag(1_000_000_000L), new byte[] {2, 2});
        byte[] billionWithSize = concat(zigzag(-1_000_000_000L), zigzag(2), new byte[] {2, 2});

        for (Schema schema : List.of(array, map)) {
            assertThatThrownBy(() -> read(schema, schema, billion, 0))
                    .isInstanceOf(DeclaredLengthException.class)
                    .hasMessageContaining("block declares 1000000000 items but only 2 are left");
            assertThatThrownBy(() -> read(schema, schema, billionWithSize, 0))
                    .isInstanceOf(DeclaredLengthException.class)
                    .hasMessageContaining("block declares 1000000000 items");
        }
        // A second block is checked as well.
        byte[] secondBlockLies = concat(zigzag(1), new byte[] {2}, zigzag(1_000_000_000L), new byte[] {2});
        assertThatThrownBy(() -> read(array, array, secondBlockLies, 0)).isInstanceOf(DeclaredLengthException.class);
    }

    @Test
    void refusesSkippedBlocksLargerThanTheBytesLeft() {
        Schema writer = record("{\"name\": \"a\", \"type\": {\"type\": \"array\", \"items\": \"int\"}}");
        Schema reader = record();

        assertThatThrownBy(() -> read(writer, reader, concat(zigzag(-3), zigzag(1L << 30), new byte[] {2, 2, 2}), 0))
                .isInstanceOf(DeclaredLengthException.class)
                .hasMessageContaining("declares 1073741824 bytes");
    }

    @Test
    void itemsOfNoBytesGetABudgetPerValueNotPerBlock() throws IOException {
        Schema nulls = record("{\"name\": \"a\", \"type\": {\"type\": \"array\", \"items\": \"null\"}}");
        byte[] threeNulls = concat(zigzag(3), new byte[] {0});
        byte[] twoBlocks = concat(zigzag(3_000), zigzag(3_000), new byte[] {0});

        assertThat((List<?>) read(nulls, nulls, threeNulls, 4_096).get("a")).hasSize(3);
        assertThatThrownBy(() -> read(nulls, nulls, threeNulls, 0)).isInstanceOf(DeclaredLengthException.class);
        assertThatThrownBy(() -> read(nulls, nulls, twoBlocks, 4_096))
                .isInstanceOf(DeclaredLengthException.class)
                .hasMessageContaining("block declares 3000 items");
    }

    @Test
    void endOfValueIsEofAndOverlongVarintsAreMalformed() {
        Schema longs = record("{\"name\": \"l\", \"type\": \"long\"}");
        Schema fixed = record("{\"name\": \"f\", \"type\": {\"type\": \"fixed\", \"name\": \"F\", \"size\": 8}}");

        assertThatThrownBy(() -> read(longs, longs, new byte[] {(byte) 0x80}, 0))
                .isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> read(fixed, fixed, new byte[] {1, 2, 3}, 0)).isInstanceOf(EOFException.class);
        byte[] elevenBytes = new byte[11];
        java.util.Arrays.fill(elevenBytes, (byte) 0xff);
        assertThatThrownBy(() -> read(longs, longs, elevenBytes, 0))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(EOFException.class)
                .hasMessageContaining("more than 10 bytes");
    }

    private static GenericRecord read(Schema writer, Schema reader, byte[] bytes, long zeroByteItemBudget)
            throws IOException {
        return new GenericDatumReader<GenericRecord>(writer, reader)
                .read(null, new BoundedBinaryDecoder(zeroByteItemBudget).reset(bytes, 0, bytes.length));
    }

    private static Schema record(String... fields) {
        return new Schema.Parser()
                .parse("{\"type\": \"record\", \"name\": \"R\", \"fields\": [" + String.join(",", fields) + "]}");
    }

    private static GenericRecord randomAllTypes(Random random) {
        GenericRecord record = new GenericData.Record(ALL_TYPES);
        record.put("n", null);
        record.put("b", random.nextBoolean());
        record.put("i", random.nextInt());
        record.put("l", random.nextBoolean() ? random.nextLong() : random.nextInt(100) - 50);
        record.put("f", random.nextFloat());
        record.put("d", random.nextDouble());
        record.put("s", new Utf8(randomString(random)));
        byte[] bytes = new byte[random.nextInt(40)];
        random.nextBytes(bytes);
        record.put("by", ByteBuffer.wrap(bytes));
        Schema four = ALL_TYPES.getField("fx").schema();
        record.put("fx", fixed(random, four));
        Schema color = ALL_TYPES.getField("e").schema();
        record.put("e", new GenericData.EnumSymbol(color, color.getEnumSymbols().get(random.nextInt(3))));
        List<Long> longs = new ArrayList<>();
        for (int i = random.nextInt(30); i > 0; i--) {
            longs.add(random.nextLong());
        }
        record.put("a", new GenericData.Array<>(ALL_TYPES.getField("a").schema(), longs));
        Map<Utf8, Utf8> map = new HashMap<>();
        for (int i = random.nextInt(10); i > 0; i--) {
            map.put(new Utf8(randomString(random)), new Utf8(randomString(random)));
        }
        record.put("m", map);
        record.put(
                "u",
                switch (random.nextInt(3)) {
                    case 0 -> null;
                    case 1 -> new Utf8(randomString(random));
                    default -> random.nextLong();
                });
        Schema inner = ALL_TYPES.getField("r").schema();
        GenericRecord innerRecord = new GenericData.Record(inner);
        List<Map<Utf8, GenericData.Fixed>> maps = new ArrayList<>();
        for (int i = random.nextInt(5); i > 0; i--) {
            Map<Utf8, GenericData.Fixed> fixeds = new HashMap<>();
            for (int j = random.nextInt(4); j > 0; j--) {
                fixeds.put(new Utf8(randomString(random)), fixed(random, four));
            }
            maps.add(fixeds);
        }
        innerRecord.put("x", new GenericData.Array<>(inner.getField("x").schema(), maps));
        record.put("r", innerRecord);
        return record;
    }

    private static GenericData.Fixed fixed(Random random, Schema schema) {
        byte[] bytes = new byte[schema.getFixedSize()];
        random.nextBytes(bytes);
        return new GenericData.Fixed(schema, bytes);
    }

    private static String randomString(Random random) {
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(20); i > 0; i--) {
            text.appendCodePoint(random.nextInt(4) == 0 ? 0x4e00 + random.nextInt(500) : 'a' + random.nextInt(26));
        }
        return text.toString();
    }

    /** Avro's own encoders; the blocking one writes arrays and maps as blocks with their byte size. */
    private static byte[] encode(GenericRecord record, boolean blocking) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = blocking
                ? EncoderFactory.get().blockingBinaryEncoder(out, null)
                : EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    static byte[] zigzag(long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long n = (value << 1) ^ (value >> 63);
        while ((n & ~0x7FL) != 0) {
            out.write((int) ((n & 0x7f) | 0x80));
            n >>>= 7;
        }
        out.write((int) n);
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
