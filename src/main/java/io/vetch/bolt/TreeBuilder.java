package io.vetch.bolt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Builds one bucket's B+tree bottom-up from elements in strictly ascending key order. Each level keeps one open
 * node; a node is written as soon as the next element would not fit in a page, and its first key and page id go up
 * into the level above. So memory holds one page's worth of elements per level, never the whole tree. An element
 * bigger than a page gets a leaf of its own spanning overflow pages; a branch node takes at least two children even
 * when their keys overflow a page (bbolt's minKeysPerPage), so each level above has at most half the nodes.
 */
final class TreeBuilder {
  private final PageSink sink;
  private final List<Level> levels = new ArrayList<>();
  private byte[] lastKey;

  TreeBuilder(PageSink sink) {
    this.sink = sink;
    levels.add(new Level(true));
  }

  /** Adds a leaf element; keys must be non-empty and strictly ascending (unsigned bytes). */
  void add(byte[] key, byte[] value, int flags) throws IOException {
    check(lastKey, key, value);
    lastKey = key;
    add(0, new Element(key, value, 0, flags));
  }

  /** IllegalArgumentException unless key is non-empty, not too long and above last (if any), and value is sane. */
  static void check(byte[] last, byte[] key, byte[] value) {
    if (key == null || key.length == 0 || key.length > Layout.MAX_KEY) {
      throw new IllegalArgumentException("key length must be in [1, " + Layout.MAX_KEY + "]");
    }
    if (value == null || value.length > Integer.MAX_VALUE - Layout.PAGE_HEADER - Layout.ELEMENT - key.length) {
      throw new IllegalArgumentException("value is null or too large");
    }
    if (last != null && Arrays.compareUnsigned(last, key) >= 0) {
      throw new IllegalArgumentException("keys not strictly ascending: " + hex(key) + " after " + hex(last));
    }
  }

  /**
   * An inline bucket's value: a bucket header with root 0 and sequence 0, then a leaf page (id 0) holding the
   * entries, already checked.
   */
  static byte[] inline(List<Map.Entry<byte[], byte[]>> entries) {
    List<Element> elements = new ArrayList<>();
    long bytes = Layout.PAGE_HEADER;
    for (Map.Entry<byte[], byte[]> e : entries) {
      elements.add(new Element(e.getKey(), e.getValue(), 0, 0));
      bytes += Layout.ELEMENT + e.getKey().length + e.getValue().length;
    }
    byte[] value = new byte[Math.toIntExact(Layout.BUCKET_HEADER + bytes)];
    encode(value, Layout.BUCKET_HEADER, 0, 0, true, elements);
    return value;
  }

  /** Writes what is still open and returns the root page id; the builder is spent afterwards. */
  long finish() throws IOException {
    for (int i = 0; ; i++) {
      Level level = levels.get(i);
      if (i == levels.size() - 1 && !level.flushed) {
        return write(level);
      }
      flush(i);
    }
  }

  private void add(int depth, Element e) throws IOException {
    Level level = levels.get(depth);
    long size = Layout.ELEMENT + e.key.length + (level.leaf ? e.value.length : 0);
    if (level.elements.size() >= (level.leaf ? 1 : 2)
        && (level.bytes + size > sink.pageSize() || level.elements.size() == Layout.MAX_COUNT - 1)) {
      flush(depth);
    }
    level.elements.add(e);
    level.bytes += size;
  }

  private void flush(int depth) throws IOException {
    Level level = levels.get(depth);
    byte[] first = level.elements.get(0).key;
    long id = write(level);
    level.flushed = true;
    if (depth + 1 == levels.size()) {
      levels.add(new Level(false));
    }
    add(depth + 1, new Element(first, null, id, 0));
  }

  /** Writes the level's open node as one page (plus overflow) and empties it. */
  private long write(Level level) throws IOException {
    int size = sink.pageSize();
    long pages = (level.bytes + size - 1) / size;
    byte[] image = new byte[Math.toIntExact(pages * size)];
    long id = sink.allocate(level.bytes);
    encode(image, 0, id, (int) (pages - 1), level.leaf, level.elements);
    sink.write(id, image);
    level.elements = new ArrayList<>();
    level.bytes = Layout.PAGE_HEADER;
    return id;
  }

  /** Lays out a page at base in image: header, element array, then each key (and value) in element order. */
  private static void encode(byte[] image, int base, long id, int overflow, boolean leaf, List<Element> elements) {
    ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
    b.position(base);
    b.putLong(id).putShort((short) (leaf ? Layout.LEAF : Layout.BRANCH)).putShort((short) elements.size())
        .putInt(overflow);
    int data = base + Layout.PAGE_HEADER + Layout.ELEMENT * elements.size();
    for (int i = 0; i < elements.size(); i++) {
      Element e = elements.get(i);
      int at = base + Layout.PAGE_HEADER + Layout.ELEMENT * i;
      b.position(at);
      if (leaf) {
        b.putInt(e.flags).putInt(data - at).putInt(e.key.length).putInt(e.value.length);
      } else {
        b.putInt(data - at).putInt(e.key.length).putLong(e.child);
      }
      System.arraycopy(e.key, 0, image, data, e.key.length);
      data += e.key.length;
      if (leaf) {
        System.arraycopy(e.value, 0, image, data, e.value.length);
        data += e.value.length;
      }
    }
  }

  static String hex(byte[] key) {
    StringBuilder s = new StringBuilder("0x");
    for (int i = 0; i < Math.min(key.length, 32); i++) {
      s.append(String.format("%02x", key[i]));
    }
    return key.length > 32 ? s + "..." : s.toString();
  }

  private record Element(byte[] key, byte[] value, long child, int flags) {}

  private static final class Level {
    final boolean leaf;
    List<Element> elements = new ArrayList<>();
    long bytes = Layout.PAGE_HEADER;
    boolean flushed;

    Level(boolean leaf) {
      this.leaf = leaf;
    }
  }
}
