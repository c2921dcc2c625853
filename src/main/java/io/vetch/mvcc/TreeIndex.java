package io.vetch.mvcc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The in-heap key index (etcd's treeIndex): a concurrent ordered map from key (unsigned lexicographic byte
 * order) to an immutable {@link KeyIndex}. Readers on any thread get a consistent KeyIndex per key and filter by
 * revision, so keys and revisions the writer adds for a transaction that has not ended yet are invisible to a
 * read at the published revision. Mutators belong to the single writer thread. Key arrays handed in are copied.
 * <p>
 * Range forms (etcd's): {@code end} null or empty = the single key; {@code end = {0}} = every key >= key;
 * otherwise [key, end).
 */
final class TreeIndex {
  private final ConcurrentSkipListMap<byte[], KeyIndex> index = new ConcurrentSkipListMap<>(Arrays::compareUnsigned);

  /** Revisions found by {@link #revisions}: at most limit of them, and how many keys matched in total. */
  record Revisions(List<Revision> revs, long total) {
  }

  KeyIndex.Hit get(byte[] key, long atRev) {
    KeyIndex ki = index.get(key);
    return ki == null ? null : ki.get(atRev);
  }

  /** The key's index, or null: for a writer that reads it and then calls {@link #put(KeyIndex, byte[], Revision)}. */
  KeyIndex lookup(byte[] key) {
    return index.get(key);
  }

  /** etcd's treeIndex.Revisions / CountRevisions; limit <= 0 means no limit; countOnly collects nothing. */
  Revisions revisions(byte[] key, byte[] end, long atRev, long limit, boolean countOnly) {
    List<Revision> revs = new ArrayList<>();
    long total = 0;
    for (KeyIndex ki : view(key, end)) {
      KeyIndex.Hit hit = ki.get(atRev);
      if (hit == null) {
        continue;
      }
      total++;
      if (!countOnly && (limit <= 0 || revs.size() < limit)) {
        revs.add(hit.modified());
      }
    }
    return new Revisions(revs, total);
  }

  /** Keys that exist at atRev within the range, in key order. */
  List<byte[]> keys(byte[] key, byte[] end, long atRev) {
    List<byte[]> keys = new ArrayList<>();
    for (KeyIndex ki : view(key, end)) {
      if (ki.get(atRev) != null) {
        keys.add(ki.key);
      }
    }
    return keys;
  }

  private Collection<KeyIndex> view(byte[] key, byte[] end) {
    if (end == null || end.length == 0) {
      KeyIndex ki = index.get(key);
      return ki == null ? List.of() : List.of(ki);
    }
    if (end.length == 1 && end[0] == 0) {
      return index.tailMap(key, true).values();
    }
    if (Arrays.compareUnsigned(key, end) >= 0) {
      return List.of();
    }
    return index.subMap(key, true, end, false).values();
  }

  /** Adds rev to key, with ki the key's current index as {@link #lookup} returned it (null for a new key). */
  void put(KeyIndex ki, byte[] key, Revision rev) {
    if (ki == null) {
      key = key.clone();
      ki = KeyIndex.create(key);
    }
    index.put(ki.key, ki.put(rev));
  }

  void tombstone(byte[] key, Revision rev) {
    KeyIndex ki = index.get(key);
    if (ki == null) {
      throw new IllegalStateException("tombstone for a key not in the index");
    }
    index.put(ki.key, ki.tombstone(rev));
  }

  /** Recovery: replays one stored record (records must come in revision order). False if it was skipped. */
  boolean restore(byte[] key, Revision rev, boolean tombstone, long createRevision, long version) {
    KeyIndex ki = index.get(key);
    if (tombstone) {
      if (ki == null || !ki.isLive()) {
        return false; // orphan tombstone: its generation's puts were already compacted away
      }
      index.put(ki.key, ki.tombstone(rev));
      return true;
    }
    if (ki == null) {
      ki = KeyIndex.create(key);
    }
    index.put(ki.key, ki.restorePut(new Revision(createRevision, 0), rev, version));
    return true;
  }

  /**
   * etcd's treeIndex.Compact: compacts every key at atRev, deleting keys left empty. Returns the revisions
   * removed from the index, which are exactly the backend records compaction must delete.
   */
  List<Revision> compact(long atRev) {
    List<Revision> removed = new ArrayList<>();
    for (Map.Entry<byte[], KeyIndex> e : index.entrySet()) {
      KeyIndex before = e.getValue();
      KeyIndex after = before.compact(atRev, removed);
      if (after.isEmpty()) {
        index.remove(e.getKey());
      } else if (after != before) {
        index.put(e.getKey(), after);
      }
    }
    return removed;
  }

  /** Number of keys that exist at the newest revision written so far. */
  long liveKeys() {
    long n = 0;
    for (KeyIndex ki : index.values()) {
      if (ki.isLive()) {
        n++;
      }
    }
    return n;
  }
}
