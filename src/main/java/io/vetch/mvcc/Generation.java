package io.vetch.mvcc;

/**
 * One life of a key, from its creation to its tombstone (etcd's generation): {@code ver} is the key's version at
 * the last revision of the generation, {@code created} the revision that created it, then the revisions in
 * order. A generation ends with a tombstone unless it is the key's last one.
 * <p>
 * Immutable to readers: {@link #append} and {@link #dropBefore} return a new view. To keep appends O(1), views
 * share a backing array: the writer appends in place when the view ends exactly at the array's used mark (only
 * the newest view of the newest generation does), writing the slot before the new view is published through
 * the tree index's concurrent map. Older views never read past their own size, so readers on other threads
 * never see a torn generation. Only the single writer thread calls append.
 */
final class Generation {
  static final Generation EMPTY = new Generation(0, null, null, 0, 0);

  final long ver;
  final Revision created;
  private final RevisionArray array;
  private final int from;
  private final int size;

  private Generation(long ver, Revision created, RevisionArray array, int from, int size) {
    this.ver = ver;
    this.created = created;
    this.array = array;
    this.from = from;
    this.size = size;
  }

  /** A generation rebuilt from a stored record whose earlier revisions are gone (etcd's keyIndex.restore). */
  static Generation restored(long ver, Revision created, Revision modified) {
    RevisionArray a = new RevisionArray(4);
    a.slots[a.used++] = modified;
    return new Generation(ver, created, a, 0, 1);
  }

  Generation append(Revision rev) {
    if (size == 0) {
      return restored(1, rev, rev);
    }
    RevisionArray a = array;
    if (from + size == a.used && a.used < a.slots.length) {
      a.slots[a.used++] = rev;
      return new Generation(ver + 1, created, a, from, size + 1);
    }
    RevisionArray grown = new RevisionArray(Math.max(4, size * 2));
    System.arraycopy(a.slots, from, grown.slots, 0, size);
    grown.slots[size] = rev;
    grown.used = size + 1;
    return new Generation(ver + 1, created, grown, 0, size + 1);
  }

  /** This generation without its first n revisions (compaction); shares the backing array. */
  Generation dropBefore(int n) {
    return n == 0 ? this : new Generation(ver, created, array, from + n, size - n);
  }

  boolean isEmpty() {
    return size == 0;
  }

  int size() {
    return size;
  }

  Revision rev(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException(i);
    }
    return array.slots[from + i];
  }

  Revision last() {
    return rev(size - 1);
  }

  /** Index of the newest revision with main <= atRev, or -1 (etcd's generation.walk used by get/compact). */
  int latestAtOrBefore(long atRev) {
    for (int i = size - 1; i >= 0; i--) {
      if (array.slots[from + i].main() <= atRev) {
        return i;
      }
    }
    return -1;
  }

  /** Backing storage shared by the views of one generation; {@code used} is written by the writer only. */
  private static final class RevisionArray {
    final Revision[] slots;
    int used;

    RevisionArray(int capacity) {
      slots = new Revision[capacity];
    }
  }
}
