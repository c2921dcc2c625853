package io.vetch.wal;

import com.google.protobuf.ByteString;
import io.vetch.api.raftpb.Entry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Test helpers that look at WAL files directly, following the record format documented in {@link Wal}. */
final class WalFiles {
  /** One record found in a segment: its start offset, type code and payload. */
  record Rec(int offset, byte type, byte[] payload) {
    int end() {
      return offset + 9 + payload.length;
    }

    Entry entry() throws IOException {
      return Entry.parseFrom(payload);
    }
  }

  private WalFiles() {}

  static Entry entry(long index, long term, int dataBytes) {
    byte[] data = new byte[dataBytes];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (index * 31 + i);
    }
    return Entry.newBuilder().setIndex(index).setTerm(term).setData(ByteString.copyFrom(data)).build();
  }

  static List<Entry> entries(long from, long to, long term, int dataBytes) {
    List<Entry> list = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      list.add(entry(i, term, dataBytes));
    }
    return list;
  }

  /** The segment files in name order. */
  static List<Path> segments(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".wal")).sorted().toList();
    }
  }

  /** Walks the records of a well-formed segment up to the first zero length. */
  static List<Rec> records(Path segment) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(segment));
    List<Rec> recs = new ArrayList<>();
    int pos = 0;
    while (pos + 8 <= b.limit() && b.getInt(pos) != 0) {
      int len = b.getInt(pos);
      byte[] payload = new byte[len - 1];
      b.get(pos + 9, payload);
      recs.add(new Rec(pos, b.get(pos + 8), payload));
      pos += 8 + len;
    }
    return recs;
  }

  /** Records of type ENTRY. */
  static List<Rec> entryRecords(Path segment) throws IOException {
    return records(segment).stream().filter(r -> r.type() == RecordType.ENTRY.code).toList();
  }

  /** Every file in dir with its bytes, to compare a directory before and after. */
  static Map<String, ByteBuffer> contents(Path dir) throws IOException {
    Map<String, ByteBuffer> m = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        m.put(p.getFileName().toString(), ByteBuffer.wrap(Files.readAllBytes(p)));
      }
    }
    return m;
  }

  static void flipBit(Path file, int offset) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    bytes[offset] ^= 0x10;
    Files.write(file, bytes);
  }
}
