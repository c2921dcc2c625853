package io.vetch.server.backup;

import io.vetch.mvcc.KvHash;
import io.vetch.mvcc.KvStore;
import io.vetch.mvcc.StoreOptions;
import io.vetch.server.base.DataDir;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A member's backups: what {@code etcdctl snapshot save} writes, etcd's format (a bbolt database and its SHA-256,
 * {@link EtcdDb}), from an etcd member or from vetch's Maintenance.Snapshot; and vetch's own older format, which
 * vetch streamed before it spoke etcd's and which is still read for the backups users keep. All integers big-endian:
 * <pre>
 *   u32 magic "VBK1" | u64 Raft index | u32 length | snapshot data ({@link SnapshotData})
 *   | u32 length | zero padding | store image (the StoreImage format, to the end less 32 bytes)
 *   | SHA-256 of every byte before it
 * </pre>
 * A file that starts with the magic is vetch's, any other is taken for etcd's. {@link #restore} rebuilds a data
 * directory from either for a new cluster (as {@code etcdutl snapshot restore}); {@link #status} reads its hash,
 * revision and key count.
 */
public final class BackupFile {
  static final int MAGIC = 0x56424B31; // "VBK1"
  public static final int SHA256_BYTES = 32;

  private BackupFile() {}

  /** What precedes a store image of imageBytes in a VBK1 backup: magic, index, the snapshot data and the padding. */
  public static byte[] prefix(long index, byte[] snapshotData, long imageBytes) {
    int unpadded = 20 + snapshotData.length;
    int pad = (int) Math.floorMod(-(unpadded + imageBytes), 512L);
    return ByteBuffer.allocate(unpadded + pad).putInt(MAGIC).putLong(index).putInt(snapshotData.length)
        .put(snapshotData).putInt(pad).array();
  }

  /** A new SHA-256 digest for the trailer. */
  public static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
  }

  /** What {@link #status} reports: as etcdutl's snapshot status. */
  public record Status(int hash, long revision, long totalKeys, long totalSize) {}

  /**
   * Restores backup, vetch's own or etcd's ({@link EtcdDbReader}), into dataDir (which must not exist or be empty)
   * for a new cluster ({@link SnapshotRestore#newCluster}): the store with the backup's keys and revisions, its
   * leases, and its users and roles, as in etcd; the membership comes from the new cluster's --initial-cluster when
   * the member starts, as with etcd. Throws IOException naming the damage when the backup is damaged or not a
   * backup; dataDir is then left as it was found (nothing is partly restored).
   */
  public static void restore(Path backup, Path dataDir, boolean skipHashCheck) throws IOException {
    boolean existed = Files.exists(dataDir);
    if (existed) {
      try (var entries = Files.list(dataDir)) {
        if (entries.findAny().isPresent()) {
          throw new IOException("data-dir \"" + dataDir + "\" exists");
        }
      }
    }
    DataDir dir = new DataDir(dataDir);
    Path image = dir.restoreImage();
    try {
      Files.createDirectories(dir.memberDir());
      MemberState state = isVetch(backup) ? extract(backup, image) : EtcdDbReader.read(backup, image, skipHashCheck);
      SnapshotRestore.newCluster(state, dir);
    } catch (IOException | RuntimeException e) {
      if (existed) {
        try (var entries = Files.list(dataDir)) {
          for (Path p : (Iterable<Path>) entries::iterator) {
            io.vetch.mvcc.backend.BackendDir.deleteTree(p);
          }
        }
      } else {
        io.vetch.mvcc.backend.BackendDir.deleteTree(dataDir);
      }
      throw e;
    } finally {
      Files.deleteIfExists(image);
    }
  }

  public static void restore(Path backup, Path dataDir) throws IOException {
    restore(backup, dataDir, false);
  }

  /** Whether file starts as vetch's own backups do (else it is taken for etcd's). */
  static boolean isVetch(Path file) throws IOException {
    try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
      return Files.size(file) >= 4 && in.readInt() == MAGIC;
    }
  }

  /**
   * Checks the backup and reads its status: for vetch's own, the store's HashKV at its revision, keys, and the
   * file's size; for etcd's, what etcdutl reports (the hash of its buckets, the last revision, their entries, the
   * database's size).
   */
  public static Status status(Path backup) throws IOException {
    if (!isVetch(backup)) {
      io.vetch.bolt.SnapshotHash h = EtcdDbReader.status(backup);
      return new Status((int) h.hash(), h.revision(), h.totalKey(), h.totalSize());
    }
    Path tmp = Files.createTempDirectory("vetch-snapshot-status");
    try {
      DataDir dir = new DataDir(tmp); // a throwaway data directory holding only the store
      Files.createDirectories(dir.memberDir());
      KvStore.createFromImage(dir.storeDir(), extract(backup, dir.restoreImage()).image());
      try (KvStore store = KvStore.open(dir.storeDir(), StoreOptions.defaults())) {
        KvHash.Result h = KvHash.compute(store, 0);
        return new Status(h.hash(), store.currentRevision(), store.keyCount(), Files.size(backup));
      } catch (io.vetch.mvcc.CompactedException | io.vetch.mvcc.FutureRevisionException e) {
        throw new IOException("hashing the backup's store", e);
      }
    } finally {
      io.vetch.mvcc.backend.BackendDir.deleteTree(tmp);
    }
  }

  /** Verifies the SHA-256 and header, writes the store image part to image, and returns the state it describes. */
  private static MemberState extract(Path backup, Path image) throws IOException {
    long size = Files.size(backup);
    if (size < 20 + SHA256_BYTES) {
      throw new IOException(backup + ": too short for a vetch snapshot (" + size + " bytes)");
    }
    MessageDigest sha = digest();
    try (InputStream raw = Files.newInputStream(backup);
         DataInputStream in = new DataInputStream(new DigestInputStream(raw, sha))) {
      if (in.readInt() != MAGIC) {
        throw new IOException(backup + ": not a vetch snapshot (bad magic)");
      }
      long index = in.readLong();
      int dataLength = in.readInt();
      if (dataLength < 0 || 20L + dataLength + SHA256_BYTES > size) {
        throw new IOException(backup + ": bad snapshot data length " + dataLength);
      }
      byte[] data = in.readNBytes(dataLength);
      int pad = in.readInt();
      if (pad < 0 || pad >= 512 || in.readNBytes(pad).length != pad) { // read, not skipped: digested
        throw new IOException(backup + ": bad padding length " + pad);
      }
      long imageBytes = size - 20 - dataLength - pad - SHA256_BYTES;
      try (OutputStream out = Files.newOutputStream(image)) {
        byte[] buf = new byte[1 << 16];
        long left = imageBytes;
        while (left > 0) {
          int n = in.read(buf, 0, (int) Math.min(buf.length, left));
          if (n < 0) {
            throw new IOException(backup + ": truncated");
          }
          out.write(buf, 0, n);
          left -= n;
        }
      }
      byte[] computed = sha.digest();
      byte[] stored = raw.readNBytes(SHA256_BYTES);
      if (!Arrays.equals(computed, stored)) {
        throw new IOException(backup + ": SHA-256 mismatch (the snapshot is damaged or incomplete)");
      }
      return new MemberState(index, 0, image, SnapshotData.decode(data));
    }
  }
}
