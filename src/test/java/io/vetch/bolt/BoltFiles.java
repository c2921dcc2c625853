package io.vetch.bolt;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/** Test fixtures: sorted maps of byte arrays, and writing or reading whole files of them. */
final class BoltFiles {
  private BoltFiles() {}

  static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  static NavigableMap<byte[], byte[]> sorted() {
    return new TreeMap<>(Arrays::compareUnsigned);
  }

  /** Writes buckets (name -> entries) with the given page size. */
  static void write(Path file, int pageSize, Map<byte[], NavigableMap<byte[], byte[]>> buckets) throws IOException {
    try (BoltWriter w = new BoltWriter(file, pageSize)) {
      for (Map.Entry<byte[], NavigableMap<byte[], byte[]>> e : buckets.entrySet()) {
        w.bucket(e.getKey(), e.getValue().entrySet().iterator());
      }
    }
  }

  /** Every bucket of a file, read with forEach. */
  static Map<byte[], NavigableMap<byte[], byte[]>> readAll(BoltReader r) throws BoltFormatException {
    Map<byte[], NavigableMap<byte[], byte[]>> all = new TreeMap<>(Arrays::compareUnsigned);
    for (byte[] name : r.buckets()) {
      NavigableMap<byte[], byte[]> m = sorted();
      r.forEach(name, m::put);
      all.put(name, m);
    }
    return all;
  }

  /** A generated stream: key i is "k" + 8 digits, value i is "value-" + i repeated to about valueSize bytes. */
  static Iterator<Map.Entry<byte[], byte[]>> generated(int n, int valueSize) {
    return new Iterator<>() {
      int i;

      @Override
      public boolean hasNext() {
        return i < n;
      }

      @Override
      public Map.Entry<byte[], byte[]> next() {
        int k = i++;
        return Map.entry(key(k), value(k, valueSize));
      }
    };
  }

  static byte[] key(int i) {
    return b(String.format("k%08d", i));
  }

  static byte[] value(int i, int size) {
    byte[] v = new byte[size];
    for (int j = 0; j < size; j++) {
      v[j] = (byte) (i * 31 + j);
    }
    return v;
  }

  static List<String> strings(List<byte[]> names) {
    List<String> s = new ArrayList<>();
    names.forEach(n -> s.add(new String(n, UTF_8)));
    return s;
  }
}
