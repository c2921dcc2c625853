package io.vetch.server;

import io.vetch.mvcc.KvStore;
import io.vetch.server.base.DataDir;
import io.vetch.wal.WalOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The disk space a member needs, checked before it allocates any, and the probe that tells when a failed storage
 * works again. Opening allocates at once: a new store's files ({@link KvStore#NEW_STORE_BYTES}, Chronicle
 * fallocates them whole), a new WAL's first segment, and always the next segment, which the WAL prepares ahead
 * ({@link WalOptions#segmentBytes()} each, zeros really written). Blocking; worker threads only.
 */
final class StorageSpace {
  private static final long MIB = 1 << 20;

  private StorageSpace() {}

  /** Bytes opening dir allocates at once. */
  static long needed(DataDir dir, WalOptions wal) throws IOException {
    return (isNewStore(dir) ? KvStore.NEW_STORE_BYTES : 0) + (isNewWal(dir) ? 2 : 1) * wal.segmentBytes();
  }

  /**
   * Throws an IOException naming how much is needed, what for and where, when the file system of dir has less room
   * than opening it allocates.
   */
  static void require(DataDir dir, WalOptions wal) throws IOException {
    long need = needed(dir, wal);
    FileStore fs = Files.getFileStore(existing(dir.dir()));
    long free = fs.getUsableSpace();
    if (free < need) {
      boolean newStore = isNewStore(dir);
      boolean newWal = isNewWal(dir);
      throw new IOException(String.format("not enough free space to open data directory %s: %d MiB needed "
              + "(%s%s), %d MiB free on %s; free some space or give --data-dir a larger file system",
          dir.dir(), mib(need), newStore ? "a new store's " + mib(KvStore.NEW_STORE_BYTES) + " MiB, " : "",
          (newWal ? "two WAL segments of " : "the next WAL segment of ") + mib(wal.segmentBytes()) + " MiB",
          mib(free), fs));
    }
  }

  /**
   * Whether the storage of dataDir works again: writes and fsyncs a small file in the member directory and removes
   * it, then checks there is the room reopening needs. Returns null when it does, else what is still wrong.
   */
  static String probe(Path dataDir) {
    DataDir dir = new DataDir(dataDir);
    Path probe = dir.probeFile();
    try {
      io.vetch.failpoint.Failpoints.check(io.vetch.failpoint.Failpoints.STORAGE_PROBE, probe);
      try (FileChannel ch = FileChannel.open(probe, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer b = ByteBuffer.allocate(4096);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      } finally {
        Files.deleteIfExists(probe);
      }
      require(dir, WalOptions.defaults());
      return null;
    } catch (IOException | RuntimeException e) {
      return String.valueOf(e.getMessage());
    }
  }

  private static boolean isNewStore(DataDir dir) {
    return !Files.isDirectory(dir.storeDir());
  }

  private static boolean isNewWal(DataDir dir) throws IOException {
    if (!Files.isDirectory(dir.walDir())) {
      return true;
    }
    try (var files = Files.list(dir.walDir())) {
      return files.noneMatch(f -> f.getFileName().toString().endsWith(".wal"));
    }
  }

  private static Path existing(Path p) {
    Path q = p.toAbsolutePath();
    while (q != null && !Files.exists(q)) {
      q = q.getParent();
    }
    return q == null ? Path.of("/") : q;
  }

  private static long mib(long bytes) {
    return (bytes + MIB - 1) / MIB;
  }
}
