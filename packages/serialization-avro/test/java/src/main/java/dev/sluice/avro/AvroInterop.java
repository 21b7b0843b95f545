package dev.sluice.avro;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * One JVM run per test file: reads what TypeScript wrote under {@code <dir>/ts} and prints each
 * record as {@code file: field=value; ...} lines; writes its own files under {@code <dir>/java}.
 * Schemas come from {@code <dir>/schemas}: full.avsc, person-v1.avsc, person-v2.avsc.
 */
public final class AvroInterop {
  private AvroInterop() {}

  private static GenericData model() {
    GenericData data = new GenericData();
    data.addLogicalTypeConversion(new Conversions.DecimalConversion());
    data.addLogicalTypeConversion(new Conversions.UUIDConversion());
    data.addLogicalTypeConversion(new TimeConversions.DateConversion());
    data.addLogicalTypeConversion(new TimeConversions.TimeMillisConversion());
    data.addLogicalTypeConversion(new TimeConversions.TimeMicrosConversion());
    data.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
    data.addLogicalTypeConversion(new TimeConversions.TimestampMicrosConversion());
    return data;
  }

  private static Schema schema(File dir, String name) throws IOException {
    return new Schema.Parser().parse(new File(dir, "schemas/" + name));
  }

  /** A stable text form of a value: BigDecimal plain, times ISO, bytes as hex, maps sorted. */
  static String render(Object value) {
    if (value == null) return "null";
    if (value instanceof BigDecimal) return ((BigDecimal) value).toPlainString();
    if (value instanceof ByteBuffer) {
      ByteBuffer buf = ((ByteBuffer) value).duplicate();
      StringBuilder sb = new StringBuilder("0x");
      while (buf.hasRemaining()) sb.append(String.format("%02x", buf.get()));
      return sb.toString();
    }
    if (value instanceof GenericRecord) {
      GenericRecord record = (GenericRecord) value;
      StringBuilder sb = new StringBuilder("{");
      for (Schema.Field field : record.getSchema().getFields()) {
        if (sb.length() > 1) sb.append(", ");
        sb.append(field.name()).append('=').append(render(record.get(field.name())));
      }
      return sb.append('}').toString();
    }
    if (value instanceof List) {
      List<String> items = new ArrayList<>();
      for (Object item : (List<?>) value) items.add(render(item));
      return items.toString();
    }
    if (value instanceof Map) {
      Map<String, String> sorted = new TreeMap<>();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) sorted.put(e.getKey().toString(), render(e.getValue()));
      return sorted.toString();
    }
    return value.toString();
  }

  private static GenericRecord fullRecord(Schema schema) {
    GenericRecord r = new GenericData.Record(schema);
    r.put("id", 1234567890123L);
    r.put("name", "Zoë ✓");
    r.put("active", true);
    r.put("score", 0.1d);
    r.put("ratio", 1.5f);
    r.put("data", ByteBuffer.wrap(new byte[] {0, 1, (byte) 255}));
    r.put("price", new BigDecimal("-12.34"));
    r.put("big", new BigDecimal("1234567890123456789012345.12345"));
    r.put("day", LocalDate.parse("2024-02-29"));
    r.put("tm", LocalTime.parse("01:02:03.004"));
    r.put("tu", LocalTime.parse("01:02:03.004005"));
    r.put("ts", Instant.parse("2024-02-29T01:02:03.004Z"));
    r.put("tsu", Instant.parse("2024-02-29T01:02:03.004005Z"));
    r.put("uid", UUID.fromString("123e4567-e89b-12d3-a456-426614174000"));
    r.put("tags", List.of("a", "b"));
    r.put("attrs", Map.of("k", 1));
    r.put("color", new GenericData.EnumSymbol(schema.getField("color").schema(), "GREEN"));
    r.put("nick", "n");
    GenericRecord inner = new GenericData.Record(schema.getField("inner").schema());
    inner.put("x", 7);
    r.put("inner", inner);
    return r;
  }

  private static GenericRecord person(Schema v1, long id, String name, int age) {
    GenericRecord r = new GenericData.Record(v1);
    r.put("id", id);
    r.put("name", name);
    r.put("age", age);
    return r;
  }

  private static byte[] raw(Schema schema, GenericRecord record, GenericData model) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema, model).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  private static void container(File file, Schema schema, List<GenericRecord> records, CodecFactory codec, GenericData model)
      throws IOException {
    try (DataFileWriter<GenericRecord> writer = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema, model))) {
      writer.setCodec(codec);
      writer.create(schema, file);
      for (GenericRecord record : records) writer.append(record);
    }
  }

  private static void printContainer(File file, Schema reader, GenericData model) throws IOException {
    GenericDatumReader<GenericRecord> datumReader = new GenericDatumReader<>(null, reader, model);
    try (DataFileReader<GenericRecord> in = new DataFileReader<>(file, datumReader)) {
      int i = 0;
      while (in.hasNext()) {
        System.out.println(file.getName() + "#" + i + ": " + render(in.next()));
        i++;
      }
      System.out.println(file.getName() + " codec=" + in.getMetaString("avro.codec"));
    }
  }

  public static void main(String[] args) throws Exception {
    File dir = new File(args[0]);
    GenericData model = model();
    Schema full = schema(dir, "full.avsc");
    Schema v1 = schema(dir, "person-v1.avsc");
    Schema v2 = schema(dir, "person-v2.avsc");

    // 1. Read what TypeScript wrote.
    File ts = new File(dir, "ts");
    byte[] fullBin = Files.readAllBytes(new File(ts, "full.bin").toPath());
    GenericRecord fromTs =
        new GenericDatumReader<GenericRecord>(full, full, model).read(null, DecoderFactory.get().binaryDecoder(fullBin, null));
    System.out.println("full.bin: " + render(fromTs));
    byte[] v1Bin = Files.readAllBytes(new File(ts, "person-v1.bin").toPath());
    GenericRecord evolved =
        new GenericDatumReader<GenericRecord>(v1, v2, model).read(null, DecoderFactory.get().binaryDecoder(v1Bin, null));
    System.out.println("person-v1.bin as v2: " + render(evolved));
    printContainer(new File(ts, "full-null.avro"), full, model);
    printContainer(new File(ts, "full-deflate.avro"), full, model);
    printContainer(new File(ts, "person-v1.avro"), v2, model);

    // 2. Write files for TypeScript to read.
    File java = new File(dir, "java");
    java.mkdirs();
    GenericRecord record = fullRecord(full);
    Files.write(new File(java, "full.bin").toPath(), raw(full, record, model));
    container(new File(java, "full-deflate.avro"), full, List.of(record, record), CodecFactory.deflateCodec(6), model);
    container(new File(java, "full-null.avro"), full, List.of(record), CodecFactory.nullCodec(), model);
    Files.write(new File(java, "person-v1.bin").toPath(), raw(v1, person(v1, 7, "ann", 41), model));
    container(new File(java, "person-v1.avro"), v1, List.of(person(v1, 1, "a", 10), person(v1, 2, "b", 20)), CodecFactory.nullCodec(), model);
    Files.write(new File(java, "done").toPath(), "ok".getBytes(StandardCharsets.UTF_8));
    System.out.println("done");
  }
}
