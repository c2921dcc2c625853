package io.vetch.bbolt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
    if (key == null || key.length == 0 || key.length > Layout.MAX_KEY) {
      throw new IllegalArgumentException("key length must be in [1, " + Layout.MAX_KEY + "]");
    }
    if (value == null || value.length > Integer.MAX_VALUE - Layout.PAGE_HEADER - Layout.ELEMENT - key.length) {
      throw new IllegalArgumentException("value is null or too large");
    }
    if (lastKey != null && Arrays.compareUnsigned(lastKey, key) >= 0) {
      throw new IllegalArgumentException("keys not strictly ascending: " + hex(key) + " after " + hex(lastKey));
    }
    lastKey = key;
    add(0, new Element(key, value, 0, flags));
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
    List<Element> elements = level.elements;
    ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(id).putShort((short) (level.leaf ? Layout.LEAF : Layout.BRANCH)).putShort((short) elements.size())
        .putInt((int) (pages - 1));
    int data = Layout.PAGE_HEADER + Layout.ELEMENT * elements.size();
    for (int i = 0; i < elements.size(); i++) {
      Element e = elements.get(i);
      int at = Layout.PAGE_HEADER + Layout.ELEMENT * i;
      b.position(at);
      if (level.leaf) {
        b.putInt(e.flags).putInt(data - at).putInt(e.key.length).putInt(e.value.length);
      } else {
        b.putInt(data - at).putInt(e.key.length).putLong(e.child);
      }
      System.arraycopy(e.key, 0, image, data, e.key.length);
      data += e.key.length;
      if (level.leaf) {
        System.arraycopy(e.value, 0, image, data, e.value.length);
        data += e.value.length;
      }
    }
    sink.write(id, image);
    level.elements = new ArrayList<>();
    level.bytes = Layout.PAGE_HEADER;
    return id;
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
