package io.vetch.bolt;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Writes a new bbolt database file holding top-level buckets, as one write transaction (txid 1). Pages are written
 * as they fill: bucket trees bottom-up (leaves up to the page size), the root bucket's tree beside them; close()
 * adds an empty freelist and the two meta pages (meta 1 with txid 1, meta 0 with txid 0, both valid and alike, as
 * bbolt's Tx.WriteTo does) and forces the file to disk. A bucket whose leaf page would take at most a quarter of a
 * page is written inline, in its entry in the root bucket, as bbolt does (etcd's small buckets look alike).
 * After an exception the file is left without meta pages, so no reader takes it for a database.
 */
public final class BoltWriter implements Closeable {
  public static final int DEFAULT_PAGE_SIZE = 4096;
  private static final long TXID = 1;
  private final FileChannel channel;
  private final PageSink sink;
  private final TreeBuilder root;
  private byte[] lastBucket;
  private boolean failed;
  private boolean closed;

  public BoltWriter(Path file) throws IOException {
    this(file, DEFAULT_PAGE_SIZE);
  }

  public BoltWriter(Path file, int pageSize) throws IOException {
    if (!Layout.validPageSize(pageSize)) {
      throw new IllegalArgumentException("page size " + pageSize + " is not a power of two in ["
          + Layout.MIN_PAGE_SIZE + ", " + Layout.MAX_PAGE_SIZE + "]");
    }
    channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE);
    sink = new PageSink(channel, pageSize);
    root = new TreeBuilder(sink);
  }

  /**
   * Adds a top-level bucket. Buckets come in strictly ascending name order and entries in strictly ascending
   * unsigned-byte key order with non-empty keys, else IllegalArgumentException. Entries are streamed: only a
   * quarter page (while the bucket may still be inline) or one page's worth per tree level is held at a time.
   */
  public void bucket(byte[] name, Iterator<Map.Entry<byte[], byte[]>> entries) throws IOException {
    if (closed || failed) {
      throw new IllegalStateException(closed ? "writer is closed" : "an earlier bucket failed");
    }
    try {
      if (lastBucket != null && name != null && Arrays.compareUnsigned(lastBucket, name) >= 0) {
        throw new IllegalArgumentException("bucket names not strictly ascending: " + TreeBuilder.hex(name)
            + " after " + TreeBuilder.hex(lastBucket));
      }
      List<Map.Entry<byte[], byte[]>> small = new ArrayList<>();
      long inlineSize = Layout.PAGE_HEADER;
      byte[] last = null;
      TreeBuilder tree = null;
      while (entries.hasNext()) {
        Map.Entry<byte[], byte[]> e = entries.next();
        if (tree != null) {
          tree.add(e.getKey(), e.getValue(), 0);
          continue;
        }
        TreeBuilder.check(last, e.getKey(), e.getValue());
        last = e.getKey();
        small.add(e);
        inlineSize += Layout.ELEMENT + e.getKey().length + e.getValue().length;
        if (inlineSize > sink.pageSize() / 4) {
          tree = new TreeBuilder(sink);
          for (Map.Entry<byte[], byte[]> s : small) {
            tree.add(s.getKey(), s.getValue(), 0);
          }
          small = null;
        }
      }
      byte[] header = tree == null ? TreeBuilder.inline(small)
          : ByteBuffer.allocate(Layout.BUCKET_HEADER).order(ByteOrder.LITTLE_ENDIAN).putLong(tree.finish())
              .putLong(0).array();
      root.add(name, header, Layout.BUCKET_LEAF);
      lastBucket = name;
    } catch (IOException | RuntimeException e) {
      failed = true;
      throw e;
    }
  }

  /** Writes the root bucket, the freelist and both meta pages and forces the file to disk; closes the file. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try (channel) {
      if (failed) {
        return;
      }
      long rootPage = root.finish();
      long freelist = sink.allocate(Layout.PAGE_HEADER);
      byte[] free = new byte[sink.pageSize()];
      ByteBuffer.wrap(free).order(ByteOrder.LITTLE_ENDIAN).putLong(freelist).putShort((short) Layout.FREELIST);
      sink.write(freelist, free);
      channel.force(false);
      for (long id = 0; id < 2; id++) {
        Meta meta = new Meta(sink.pageSize(), 0, rootPage, 0, freelist, sink.next(), TXID - 1 + id);
        sink.write(id, meta.page(id));
      }
      channel.force(true);
    }
  }
}
