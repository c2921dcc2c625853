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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * Reads a bbolt database file (read-only), validating as it goes. open() picks the meta page with the higher txid
 * among those that validate, as bbolt does, checks the file holds every page below its high-water mark (bytes past
 * it, such as the SHA-256 trailer of an etcd snapshot, are ignored), checks the freelist and reads the top-level
 * buckets; forEach and get check each page they visit. Inline buckets (root 0, page inside the parent's value) are
 * read like others. Every traversal stops on a page seen twice or a tree deeper than 64 levels, so a corrupt file
 * fails with a BoltFormatException and never loops. Reads may run on several threads at once (positional reads
 * of one file channel; nothing mutable after open).
 */
public final class BoltReader implements Closeable {
  private static final int MAX_DEPTH = 64;
  private final FileChannel channel;
  private final PageReader pages;
  private final Meta meta;
  private final long freePages;
  private final TreeMap<byte[], byte[]> buckets = new TreeMap<>(Arrays::compareUnsigned);

  private BoltReader(FileChannel channel, Meta meta, long freePages) {
    this.channel = channel;
    this.meta = meta;
    this.freePages = freePages;
    this.pages = new PageReader(channel, meta.pageSize(), meta.highWater());
  }

  public static BoltReader open(Path file) throws BoltFormatException, IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
    try {
      Meta meta = MetaChooser.choose(channel);
      BoltReader r = new BoltReader(channel, meta, Freelist.check(channel, meta));
      r.readRoot();
      return r;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** Top-level bucket names in ascending unsigned-byte order. */
  public List<byte[]> buckets() {
    List<byte[]> names = new ArrayList<>();
    for (byte[] n : buckets.keySet()) {
      names.add(n.clone());
    }
    return names;
  }

  public boolean hasBucket(byte[] name) {
    return buckets.containsKey(name);
  }

  /**
   * Calls action for each entry of a top-level bucket in ascending key order; a nested bucket's entry comes with a
   * null value (as in bbolt's ForEach). IllegalArgumentException if there is no such bucket.
   */
  public void forEach(byte[] bucket, BiConsumer<byte[], byte[]> action) throws BoltFormatException {
    walk(header(bucket), "bucket " + TreeBuilder.hex(bucket),
        (n, i) -> action.accept(n.key(i), n.isBucket(i) ? null : n.value(i)));
  }

  /** The value of key in a top-level bucket; null if the bucket or key is absent or the key names a nested bucket. */
  public byte[] get(byte[] bucket, byte[] key) throws BoltFormatException {
    byte[] header = buckets.get(bucket);
    if (header == null) {
      return null;
    }
    String where = "bucket " + TreeBuilder.hex(bucket);
    Node n = inline(header, where);
    if (n == null) {
      long id = root(header);
      String referrer = where + " root";
      for (int depth = 0; ; depth++) {
        if (depth > MAX_DEPTH) {
          throw new BoltFormatException(where + ": tree deeper than " + MAX_DEPTH + " levels at page " + id);
        }
        n = node(id, referrer);
        if (n.leaf()) {
          break;
        }
        int i = n.childFor(key);
        referrer = "page " + id + " element " + i;
        id = n.child(i);
      }
    }
    int i = n.find(key);
    return i < 0 || n.isBucket(i) ? null : n.value(i);
  }

  public int pageSize() {
    return meta.pageSize();
  }

  /** The txid of the meta page in use. */
  public long txid() {
    return meta.txid();
  }

  /** The high-water mark: pages in use, meta pages included; the database is pageCount() * pageSize() bytes. */
  public long pageCount() {
    return meta.highWater();
  }

  /** Pages listed in the freelist (0 when the file keeps no freelist). */
  public long freePageCount() {
    return freePages;
  }

  /** Levels of a bucket's tree: 1 for a lone leaf (or an inline bucket), 2 with one branch level above, and so on. */
  public int depth(byte[] bucket) throws BoltFormatException {
    byte[] header = header(bucket);
    if (inline(header, "bucket") != null) {
      return 1;
    }
    long id = root(header);
    for (int depth = 1; depth <= MAX_DEPTH; depth++) {
      Node n = node(id, "bucket " + TreeBuilder.hex(bucket) + " level " + depth);
      if (n.leaf()) {
        return depth;
      }
      id = n.child(0);
    }
    throw new BoltFormatException("bucket " + TreeBuilder.hex(bucket) + ": tree deeper than " + MAX_DEPTH);
  }

  /** Whether a top-level bucket is stored inline, in its entry in the root bucket (as bbolt keeps small buckets). */
  public boolean isInline(byte[] bucket) {
    return root(header(bucket)) == 0;
  }

  /** The freelist's page id, or -1 when the file keeps no freelist (bbolt's NoFreelistSync). */
  long freelistPage() {
    return meta.freelist();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  private void readRoot() throws BoltFormatException {
    walk(root(meta.root()), "root bucket", (n, i) -> {
      byte[] key = n.key(i);
      if (!n.isBucket(i)) {
        throw new BoltFormatException(n.where() + " element " + i + ": the root bucket holds a plain key "
            + TreeBuilder.hex(key) + ", not a bucket");
      }
      byte[] header = n.value(i);
      String where = n.where() + " element " + i + " (bucket " + TreeBuilder.hex(key) + ")";
      if (header.length < Layout.BUCKET_HEADER) {
        throw new BoltFormatException(where + ": bucket header of " + header.length + " bytes");
      }
      inline(header, where);
      buckets.put(key, header);
    });
  }

  private byte[] header(byte[] bucket) {
    byte[] header = buckets.get(bucket);
    if (header == null) {
      throw new IllegalArgumentException("no bucket " + TreeBuilder.hex(bucket));
    }
    return header;
  }

  private static byte[] root(long pgid) {
    return ByteBuffer.allocate(Layout.BUCKET_HEADER).order(ByteOrder.LITTLE_ENDIAN).putLong(pgid).putLong(0)
        .array();
  }

  private static long root(byte[] header) {
    return ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
  }

  /** The inline page of a bucket header with root 0, parsed; null for a bucket with pages of its own. */
  private Node inline(byte[] header, String where) throws BoltFormatException {
    if (root(header) != 0) {
      return null;
    }
    Node n = new Node(header, Layout.BUCKET_HEADER, header.length - Layout.BUCKET_HEADER, where + " inline page",
        meta.highWater());
    if (!n.leaf()) {
      throw n.fail("is a branch page; an inline bucket holds one leaf");
    }
    return n;
  }

  private Node node(long id, String referrer) throws BoltFormatException {
    byte[] page = pages.read(id, referrer);
    return new Node(page, 0, page.length, "page " + id + " (offset " + id * meta.pageSize() + ")",
        meta.highWater());
  }

  /** Visits every leaf element of a bucket in key order, checking the order across leaves. */
  private void walk(byte[] header, String where, Visitor visitor) throws BoltFormatException {
    Node n = inline(header, where);
    if (n != null) {
      visitLeaf(n, visitor, new byte[1][]);
    } else {
      descend(root(header), where + " root", 0, new HashSet<>(), visitor, new byte[1][]);
    }
  }

  private void descend(long id, String referrer, int depth, Set<Long> seen, Visitor visitor, byte[][] last)
      throws BoltFormatException {
    if (depth > MAX_DEPTH) {
      throw new BoltFormatException("page " + id + " (" + referrer + "): tree deeper than " + MAX_DEPTH + " levels");
    }
    if (!seen.add(id)) {
      throw new BoltFormatException("page " + id + " (" + referrer + ") is referenced twice in one tree");
    }
    Node n = node(id, referrer);
    if (n.leaf()) {
      visitLeaf(n, visitor, last);
      return;
    }
    for (int i = 0; i < n.count(); i++) {
      descend(n.child(i), "page " + id + " element " + i, depth + 1, seen, visitor, last);
    }
  }

  private static void visitLeaf(Node n, Visitor visitor, byte[][] last) throws BoltFormatException {
    if (n.count() == 0) {
      return;
    }
    if (last[0] != null && n.compare(0, last[0]) <= 0) {
      throw n.fail("starts with a key not above the previous leaf's last key");
    }
    for (int i = 0; i < n.count(); i++) {
      visitor.visit(n, i);
    }
    last[0] = n.key(n.count() - 1);
  }

  private interface Visitor {
    void visit(Node leaf, int index) throws BoltFormatException;
  }
}
