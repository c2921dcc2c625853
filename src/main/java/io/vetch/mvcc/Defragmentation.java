package io.vetch.mvcc;

import io.vetch.mvcc.backend.Backend;
import java.io.IOException;
import java.nio.file.Path;

/**
 * One defragmentation of a {@link KvStore} (etcd's Defragment, without its stop-the-world): the store's records
 * are rewritten into a fresh, compactly sized backend, which then replaces the live one.
 * <ol>
 *   <li>{@link KvStore#beginDefrag} (writer thread, quick): creates the fresh backend and starts mirroring every
 *       new put into it.</li>
 *   <li>{@link #copy} (any other thread, the long part): copies every record up to the revision at the start,
 *       while the writer goes on applying entries.</li>
 *   <li>{@link KvStore#finishDefrag} (writer thread, quick): applies the deletes made meanwhile, copies the meta
 *       values, syncs and atomically switches to the fresh backend ({@code BackendDir}).</li>
 * </ol>
 * A crash at any point leaves either the old backend live or the complete new one.
 */
public final class Defragmentation {
  final Backend source;
  final Backend target;
  final Path targetDir;
  private final long throughRev;
  private volatile boolean cancelled;

  Defragmentation(Backend source, Backend target, Path targetDir, long throughRev) {
    this.source = source;
    this.target = target;
    this.targetDir = targetDir;
    this.throughRev = throughRev;
  }

  /** Copies the records that existed at the start, and syncs the copy. Any thread but the writer. */
  public long copy() throws IOException {
    long n = source.copyTo(target, throughRev, () -> cancelled);
    if (cancelled) {
      throw new IOException("defragmentation cancelled");
    }
    target.sync();
    return n;
  }

  void cancel() {
    cancelled = true;
  }
}
