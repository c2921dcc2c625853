package io.vetch.mvcc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The in-heap key index (etcd's treeIndex): a concurrent ordered map from key (unsigned lexicographic byte
 * order) to the key's {@link Slot}, which holds its current immutable {@link KeyIndex}. Readers on any thread get a
 * consistent KeyIndex per key and filter by revision, so keys and revisions the writer adds for a transaction that
 * has not ended yet are invisible to a read at the published revision. Mutators belong to the single writer thread;
 * a write to a key searches the map once and replaces the KeyIndex in its slot. Key arrays handed in are copied.
 * <p>
 * Range forms (etcd's): {@code end} null or empty = the single key; {@code end = {0}} = every key >= key;
 * otherwise [key, end).
 */
final class TreeIndex {
  private final ConcurrentSkipListMap<byte[], Slot> index = new ConcurrentSkipListMap<>(Arrays::compareUnsigned);

  /**
   * A key's place in the index: its current KeyIndex, replaced by the writer. Null (absent to readers) until the
   * writer that made the slot stores the key's first revision; a slot left empty is removed by {@link #compact}.
   */
  static final class Slot {
    private final byte[] key; // the map's key, shared with the KeyIndex
    private volatile KeyIndex current;

    private Slot(byte[] key) {
      this.key = key;
    }

    /** The key's index, or null if it has none yet. */
    KeyIndex current() {
      return current;
    }
  }

  /** Revisions found by {@link #revisions}: at most limit of them, and how many keys matched in total. */
  record Revisions(List<Revision> revs, long total) {
  }

  KeyIndex.Hit get(byte[] key, long atRev) {
    KeyIndex ki = current(index.get(key));
    return ki == null ? null : ki.get(atRev);
  }

  /**
   * The key's slot, made empty if the key has none: for a writer that reads {@link Slot#current()} and then calls
   * {@link #put(Slot, Revision)}. One search of the map whether or not the key is new.
   */
  Slot slot(byte[] key) {
    Slot made = new Slot(key.clone());
    Slot found = index.putIfAbsent(made.key, made);
    return found != null ? found : made;
  }

  private static KeyIndex current(Slot s) {
    return s == null ? null : s.current;
  }

  /** etcd's treeIndex.Revisions / CountRevisions; limit <= 0 means no limit; countOnly collects nothing. */
  Revisions revisions(byte[] key, byte[] end, long atRev, long limit, boolean countOnly) {
    List<Revision> revs = new ArrayList<>();
    long total = 0;
    for (Slot s : view(key, end)) {
      KeyIndex ki = s.current;
      KeyIndex.Hit hit = ki == null ? null : ki.get(atRev);
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
    for (Slot s : view(key, end)) {
      KeyIndex ki = s.current;
      if (ki != null && ki.get(atRev) != null) {
        keys.add(ki.key);
      }
    }
    return keys;
  }

  private Collection<Slot> view(byte[] key, byte[] end) {
    if (end == null || end.length == 0) {
      Slot s = index.get(key);
      return s == null ? List.of() : List.of(s);
    }
    if (end.length == 1 && end[0] == 0) {
      return index.tailMap(key, true).values();
    }
    if (Arrays.compareUnsigned(key, end) >= 0) {
      return List.of();
    }
    return index.subMap(key, true, end, false).values();
  }

  /** Adds rev to the key of slot s (as {@link #slot} returned it). */
  void put(Slot s, Revision rev) {
    KeyIndex ki = s.current;
    s.current = (ki == null ? KeyIndex.create(s.key) : ki).put(rev);
  }

  void tombstone(byte[] key, Revision rev) {
    Slot s = index.get(key);
    if (s == null || s.current == null) {
      throw new IllegalStateException("tombstone for a key not in the index");
    }
    s.current = s.current.tombstone(rev);
  }

  /** Recovery: replays one stored record (records must come in revision order). False if it was skipped. */
  boolean restore(byte[] key, Revision rev, boolean tombstone, long createRevision, long version) {
    if (tombstone) {
      Slot s = index.get(key);
      if (s == null || s.current == null || !s.current.isLive()) {
        return false; // orphan tombstone: its generation's puts were already compacted away
      }
      s.current = s.current.tombstone(rev);
      return true;
    }
    Slot s = slot(key);
    KeyIndex ki = s.current;
    s.current = (ki == null ? KeyIndex.create(s.key) : ki).restorePut(new Revision(createRevision, 0), rev, version);
    return true;
  }

  /**
   * etcd's treeIndex.Compact: compacts every key at atRev, deleting keys left empty. Returns the revisions
   * removed from the index, which are exactly the backend records compaction must delete.
   */
  List<Revision> compact(long atRev) {
    List<Revision> removed = new ArrayList<>();
    for (Map.Entry<byte[], Slot> e : index.entrySet()) {
      Slot s = e.getValue();
      KeyIndex before = s.current;
      KeyIndex after = before == null ? null : before.compact(atRev, removed);
      if (after == null || after.isEmpty()) {
        index.remove(e.getKey(), s);
      } else if (after != before) {
        s.current = after;
      }
    }
    return removed;
  }

  /** Number of keys that exist at the newest revision written so far. */
  long liveKeys() {
    long n = 0;
    for (Slot s : index.values()) {
      KeyIndex ki = s.current;
      if (ki != null && ki.isLive()) {
        n++;
      }
    }
    return n;
  }
}
