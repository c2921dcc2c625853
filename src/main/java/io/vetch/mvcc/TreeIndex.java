package io.vetch.mvcc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;

/**
 * The in-heap key index (etcd's treeIndex): an ordered map ({@link KeyTree}) from key (unsigned lexicographic byte
 * order) to an immutable {@link KeyIndex}. Readers on any thread get a consistent KeyIndex per key and filter by
 * revision, so keys and revisions the writer adds for a transaction that has not ended yet are invisible to a
 * read at the published revision. Mutators belong to the single writer thread, except {@link #restore}, which
 * recovery calls from several threads at once and ends with {@link #restored}. Key arrays handed in are copied.
 * <p>
 * Range forms (etcd's): {@code end} null or empty = the single key; {@code end = {0}} = every key >= key;
 * otherwise [key, end).
 */
final class TreeIndex {
  private final KeyTree tree = new KeyTree();
  /** What {@link #restore} gathers (from several threads), until {@link #restored} builds the tree from it. */
  private ConcurrentSkipListMap<byte[], KeyIndex> restoring = new ConcurrentSkipListMap<>(Arrays::compareUnsigned);

  /** Revisions found by {@link #revisions}: at most limit of them, and how many keys matched in total. */
  record Revisions(List<Revision> revs, long total) {
  }

  KeyIndex.Hit get(byte[] key, long atRev) {
    KeyIndex ki = tree.get(key);
    return ki == null ? null : ki.get(atRev);
  }

  /** The key's index, or null: for a writer that reads it and then calls {@link #put(KeyIndex, byte[], Revision)}. */
  KeyIndex lookup(byte[] key) {
    return tree.get(key);
  }

  /** etcd's treeIndex.Revisions / CountRevisions; limit <= 0 means no limit; countOnly collects nothing. */
  Revisions revisions(byte[] key, byte[] end, long atRev, long limit, boolean countOnly) {
    List<Revision> revs = new ArrayList<>();
    long[] total = {0};
    view(key, end, ki -> {
      KeyIndex.Hit hit = ki.get(atRev);
      if (hit == null) {
        return;
      }
      total[0]++;
      if (!countOnly && (limit <= 0 || revs.size() < limit)) {
        revs.add(hit.modified());
      }
    });
    return new Revisions(revs, total[0]);
  }

  /** Keys that exist at atRev within the range, in key order. */
  List<byte[]> keys(byte[] key, byte[] end, long atRev) {
    List<byte[]> keys = new ArrayList<>();
    view(key, end, ki -> {
      if (ki.get(atRev) != null) {
        keys.add(ki.key);
      }
    });
    return keys;
  }

  private void view(byte[] key, byte[] end, Consumer<KeyIndex> visitor) {
    if (end == null || end.length == 0) {
      KeyIndex ki = tree.get(key);
      if (ki != null) {
        visitor.accept(ki);
      }
    } else if (end.length == 1 && end[0] == 0) {
      tree.forEach(key, null, visitor);
    } else if (Arrays.compareUnsigned(key, end) < 0) {
      tree.forEach(key, end, visitor);
    }
  }

  /** Adds rev to key, with ki the key's current index as {@link #lookup} returned it (null for a new key). */
  void put(KeyIndex ki, byte[] key, Revision rev) {
    if (ki == null) {
      key = key.clone();
      ki = KeyIndex.create(key);
    }
    tree.put(ki.put(rev));
  }

  void tombstone(byte[] key, Revision rev) {
    KeyIndex ki = tree.get(key);
    if (ki == null) {
      throw new IllegalStateException("tombstone for a key not in the index");
    }
    tree.put(ki.tombstone(rev));
  }

  /**
   * Recovery: replays one stored record (a key's records must come in revision order, from one thread). False if
   * it was skipped. Thread-safe across keys; {@link #restored} must follow before any other call.
   */
  boolean restore(byte[] key, Revision rev, boolean tombstone, long createRevision, long version) {
    KeyIndex ki = restoring.get(key);
    if (tombstone) {
      if (ki == null || !ki.isLive()) {
        return false; // orphan tombstone: its generation's puts were already compacted away
      }
      restoring.put(ki.key, ki.tombstone(rev));
      return true;
    }
    if (ki == null) {
      ki = KeyIndex.create(key);
    }
    restoring.put(ki.key, ki.restorePut(new Revision(createRevision, 0), rev, version));
    return true;
  }

  /** Ends recovery: the tree is built from what {@link #restore} gathered. */
  void restored() {
    tree.replaceAll(new ArrayList<>(restoring.values()));
    restoring = null;
  }

  /**
   * etcd's treeIndex.Compact: compacts every key at atRev, deleting keys left empty. Returns the revisions
   * removed from the index, which are exactly the backend records compaction must delete. The tree is rebuilt
   * (readers go on with the one they hold meanwhile).
   */
  List<Revision> compact(long atRev) {
    List<Revision> removed = new ArrayList<>();
    List<KeyIndex> kept = new ArrayList<>();
    boolean[] changed = {false};
    tree.forEach(null, null, before -> {
      KeyIndex after = before.compact(atRev, removed);
      changed[0] |= after != before;
      if (!after.isEmpty()) {
        kept.add(after);
      }
    });
    if (changed[0]) {
      tree.replaceAll(kept);
    }
    return removed;
  }

  /** Number of keys that exist at the newest revision written so far. */
  long liveKeys() {
    long[] n = {0};
    tree.forEach(null, null, ki -> {
      if (ki.isLive()) {
        n[0]++;
      }
    });
    return n[0];
  }
}
