package io.vetch.mvcc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The revisions of one key (etcd's keyIndex): the last modification and the key's generations, oldest first.
 * The last generation is empty after a tombstone. Immutable: every change returns a new KeyIndex (see
 * {@link Generation} for the shared-array append), so any thread may read an instance it obtained from the
 * tree index while the writer derives the next one.
 */
final class KeyIndex {
  final byte[] key;
  final Revision modified;
  private final Generation[] generations;

  private KeyIndex(byte[] key, Revision modified, Generation[] generations) {
    this.key = key;
    this.modified = modified;
    this.generations = generations;
  }

  static KeyIndex create(byte[] key) {
    return new KeyIndex(key, new Revision(0, 0), new Generation[] {Generation.EMPTY});
  }

  /** What {@link #get} found: the revision holding the value at atRev, its generation's creation and version. */
  record Hit(Revision modified, Revision created, long ver) {
  }

  KeyIndex put(Revision rev) {
    if (!rev.greaterThan(modified)) {
      throw new IllegalStateException("put revision " + rev + " not after " + modified);
    }
    Generation[] gens = generations.clone();
    gens[gens.length - 1] = gens[gens.length - 1].append(rev);
    return new KeyIndex(key, rev, gens);
  }

  /** Ends the current generation at rev. The key must be live (the caller only deletes live keys). */
  KeyIndex tombstone(Revision rev) {
    if (!isLive()) {
      throw new IllegalStateException("tombstone on a key that is not live");
    }
    KeyIndex withTomb = put(rev);
    Generation[] gens = Arrays.copyOf(withTomb.generations, withTomb.generations.length + 1);
    gens[gens.length - 1] = Generation.EMPTY;
    return new KeyIndex(key, rev, gens);
  }

  /**
   * Recovery: applies a stored put. When it starts a generation, the generation takes the record's own
   * create revision and version, which stay right even if the generation's earlier records are gone.
   */
  KeyIndex restorePut(Revision created, Revision rev, long ver) {
    if (isLive()) {
      return put(rev);
    }
    Generation[] gens = generations.clone();
    gens[gens.length - 1] = Generation.restored(ver, created, rev);
    return new KeyIndex(key, rev, gens);
  }

  /** True when the key exists at the newest revision (its last generation is not empty). */
  boolean isLive() {
    return !generations[generations.length - 1].isEmpty();
  }

  boolean isEmpty() {
    return generations.length == 1 && generations[0].isEmpty();
  }

  /** The key's state at atRev, or null when it did not exist then (etcd's keyIndex.get). */
  Hit get(long atRev) {
    Generation g = findGeneration(atRev);
    if (g == null) {
      return null;
    }
    int n = g.latestAtOrBefore(atRev);
    if (n == -1) {
      return null;
    }
    return new Hit(g.rev(n), g.created, g.ver - (g.size() - n - 1));
  }

  private Generation findGeneration(long rev) {
    int last = generations.length - 1;
    for (int cg = last; cg >= 0; cg--) {
      Generation g = generations[cg];
      if (g.isEmpty()) {
        continue;
      }
      if (cg != last && g.last().main() <= rev) {
        return null; // the generation's tombstone is at or before rev: the key was deleted then
      }
      if (g.rev(0).main() <= rev) {
        return g;
      }
    }
    return null;
  }

  /**
   * etcd's keyIndex.compact: keeps, in the generation that holds atRev, the newest revision at or before it
   * unless that revision is the generation's tombstone, drops everything older, and appends every dropped
   * revision to {@code removed}. May return an empty KeyIndex, which the tree index then deletes.
   */
  KeyIndex compact(long atRev, List<Revision> removed) {
    int genIdx = 0;
    while (genIdx < generations.length - 1 && generations[genIdx].last().main() < atRev) {
      addAll(generations[genIdx], generations[genIdx].size(), removed);
      genIdx++;
    }
    Generation g = generations[genIdx];
    boolean dropG = false;
    if (!g.isEmpty()) {
      int revIndex = g.latestAtOrBefore(atRev);
      if (revIndex > 0) {
        addAll(g, revIndex, removed);
        g = g.dropBefore(revIndex);
      }
      if (g.size() == 1 && genIdx != generations.length - 1) {
        removed.add(g.rev(0)); // only the tombstone is left: the generation goes entirely
        dropG = true;
      }
    }
    if (genIdx == 0 && !dropG && g == generations[0]) {
      return this;
    }
    List<Generation> gens = new ArrayList<>(generations.length - genIdx);
    if (!dropG) {
      gens.add(g);
    }
    gens.addAll(Arrays.asList(generations).subList(genIdx + 1, generations.length));
    return new KeyIndex(key, modified, gens.toArray(new Generation[0]));
  }

  private static void addAll(Generation g, int count, List<Revision> out) {
    for (int i = 0; i < count; i++) {
      out.add(g.rev(i));
    }
  }
}
