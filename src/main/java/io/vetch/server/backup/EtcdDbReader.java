package io.vetch.server.backup;

import io.vetch.api.authpb.Role;
import io.vetch.api.authpb.User;
import io.vetch.api.leasepb.Lease;
import io.vetch.api.mvccpb.KeyValue;
import io.vetch.bolt.BoltFormatException;
import io.vetch.bolt.BoltReader;
import io.vetch.bolt.SnapshotHash;
import io.vetch.mvcc.Revision;
import io.vetch.mvcc.StoreImage;
import io.vetch.server.auth.AuthStore;
import io.vetch.server.lease.Lessor;
import io.vetch.server.membership.Membership;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads an etcd backup ({@link EtcdDb}: a bbolt file, with or without the SHA-256 trailer) into a member's state,
 * as etcdutl snapshot restore reads it: the store with every revision, tombstone and the compaction, the leases
 * and the auth store. The membership is the new cluster's (etcd's restore drops the old one), so none is read.
 * Every check comes before anything is written outside the image file the caller gives, and each failure names the
 * file and what is wrong with it.
 */
public final class EtcdDbReader {
  private EtcdDbReader() {}

  /**
   * Checks snapshot (the SHA-256 trailer, unless skipHashCheck; bbolt's structure; etcd's buckets), writes its store
   * image to image and returns the state it describes (index: its consistent index).
   */
  public static MemberState read(Path snapshot, Path image, boolean skipHashCheck) throws IOException {
    checkHash(snapshot, skipHashCheck);
    try (BoltReader db = open(snapshot)) {
      long[] count = {0};
      forEach(db, snapshot, EtcdDb.KEY, (k, v) -> {
        revision(snapshot, k);
        count[0]++;
      });
      byte[] ci = db.get(EtcdDb.META, EtcdDb.CONSISTENT_INDEX);
      long index = ci != null && ci.length == 8 ? ByteBuffer.wrap(ci).getLong() : 0;
      StoreImage.Header header = new StoreImage.Header(index, compactRev(db, snapshot, EtcdDb.SCHEDULED_COMPACT_REV),
          compactRev(db, snapshot, EtcdDb.FINISHED_COMPACT_REV), count[0]);
      StoreImage.create(image, header, sink -> forEach(db, snapshot, EtcdDb.KEY, (k, v) -> {
        long[] rev = revision(snapshot, k);
        boolean tombstone = k.length == Revision.ETCD_BYTES + 1;
        try {
          KeyValue kv = KeyValue.parseFrom(v);
          if (kv.getKey().isEmpty()) {
            throw new IOException(snapshot + ": revision " + rev[0] + "_" + rev[1] + " has no key");
          }
          if (tombstone) { // vetch's tombstone carries its revision, as the delete event does
            kv = kv.toBuilder().setModRevision(rev[0]).build();
          }
          sink.add(rev[0], rev[1], tombstone, kv.toByteArray());
        } catch (IOException e) {
          throw new UncheckedIOException(new IOException(snapshot + ": unreadable KeyValue at revision " + rev[0] + "_"
              + rev[1] + ": " + e.getMessage(), e));
        }
      }));
      return new MemberState(index, 0, image,
          new SnapshotData(Membership.emptyBytes(), leases(db, snapshot), null, auth(db, snapshot), null));
    }
  }

  /** etcdutl's snapshot status of an etcd backup: its bbolt hash, the last revision, the entries and the size. */
  public static SnapshotHash status(Path snapshot) throws IOException {
    try (BoltReader db = open(snapshot)) {
      return SnapshotHash.status(db);
    } catch (BoltFormatException e) {
      throw new IOException(snapshot + ": invalid database: " + e.getMessage(), e);
    }
  }

  /** The bbolt file, with etcd's store in it. */
  private static BoltReader open(Path snapshot) throws IOException {
    BoltReader db;
    try {
      db = BoltReader.open(snapshot);
    } catch (BoltFormatException e) {
      throw new IOException(snapshot + ": not an etcd snapshot (invalid database: " + e.getMessage() + ")", e);
    }
    for (byte[] bucket : List.of(EtcdDb.KEY, EtcdDb.META)) {
      if (!db.hasBucket(bucket)) {
        db.close();
        throw new IOException(snapshot + ": not an etcd snapshot (a bbolt database without the \""
            + new String(bucket, java.nio.charset.StandardCharsets.US_ASCII) + "\" bucket)");
      }
    }
    return db;
  }

  /** etcdutl's check: the trailer, when the size says there is one, is the SHA-256 of what precedes it. */
  private static void checkHash(Path snapshot, boolean skip) throws IOException {
    long size = Files.size(snapshot);
    if (!EtcdDb.hasChecksum(size)) {
      if (!skip) {
        throw new IOException(snapshot + ": snapshot missing hash but --skip-hash-check=false (" + size
            + " bytes: truncated, or not a snapshot saved by etcdctl)");
      }
      return;
    }
    if (skip) {
      return;
    }
    MessageDigest sha = BackupFile.digest();
    byte[] stored;
    try (InputStream in = Files.newInputStream(snapshot)) {
      byte[] buf = new byte[1 << 16];
      long left = size - EtcdDb.SHA256_BYTES;
      while (left > 0) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, left));
        if (n < 0) {
          throw new IOException(snapshot + ": truncated while reading");
        }
        sha.update(buf, 0, n);
        left -= n;
      }
      stored = in.readNBytes(EtcdDb.SHA256_BYTES);
    }
    if (!Arrays.equals(sha.digest(), stored)) {
      throw new IOException(snapshot + ": SHA-256 mismatch (the snapshot is damaged or incomplete)");
    }
  }

  /** The main and sub revision of a key of bucket "key". */
  private static long[] revision(Path snapshot, byte[] k) {
    boolean ok = (k.length == Revision.ETCD_BYTES || k.length == Revision.ETCD_BYTES + 1 && k[17] == Revision.ETCD_TOMBSTONE)
        && k[8] == '_';
    ByteBuffer b = ByteBuffer.wrap(k);
    if (!ok || b.getLong(0) <= 0 || b.getLong(9) < 0) {
      throw new UncheckedIOException(new IOException(snapshot + ": bad revision key " + hex(k) + " in bucket key"));
    }
    return new long[] {b.getLong(0), b.getLong(9)};
  }

  private static long compactRev(BoltReader db, Path snapshot, byte[] name) throws IOException {
    byte[] v = db.get(EtcdDb.META, name);
    if (v == null) {
      return 0;
    }
    if (v.length < 8) {
      throw new IOException(snapshot + ": bad " + new String(name, java.nio.charset.StandardCharsets.US_ASCII)
          + " in bucket meta: " + hex(v));
    }
    return ByteBuffer.wrap(v).getLong();
  }

  private static byte[] leases(BoltReader db, Path snapshot) throws IOException {
    List<Lessor.Saved> leases = new ArrayList<>();
    if (db.hasBucket(EtcdDb.LEASE)) {
      forEach(db, snapshot, EtcdDb.LEASE, (k, v) -> {
        Lease l = parse(snapshot, "lease", () -> Lease.parseFrom(v));
        leases.add(new Lessor.Saved(l.getID(), l.getTTL(), l.getRemainingTTL()));
      });
    }
    return Lessor.encodeSaved(leases);
  }

  private static byte[] auth(BoltReader db, Path snapshot) throws IOException {
    byte[] enabled = db.hasBucket(EtcdDb.AUTH) ? db.get(EtcdDb.AUTH, EtcdDb.AUTH_ENABLED) : null;
    byte[] revision = db.hasBucket(EtcdDb.AUTH) ? db.get(EtcdDb.AUTH, EtcdDb.AUTH_REVISION) : null;
    List<User> users = new ArrayList<>();
    List<Role> roles = new ArrayList<>();
    if (db.hasBucket(EtcdDb.AUTH_USERS)) {
      forEach(db, snapshot, EtcdDb.AUTH_USERS, (k, v) -> users.add(parse(snapshot, "user", () -> User.parseFrom(v))));
    }
    if (db.hasBucket(EtcdDb.AUTH_ROLES)) {
      forEach(db, snapshot, EtcdDb.AUTH_ROLES, (k, v) -> roles.add(parse(snapshot, "role", () -> Role.parseFrom(v))));
    }
    return AuthStore.encodeSaved(new AuthStore.Saved(enabled != null && enabled.length == 1 && enabled[0] == 1,
        revision != null && revision.length == 8 ? ByteBuffer.wrap(revision).getLong() : 1, users, roles));
  }

  private interface Parse<T> {
    T get() throws IOException;
  }

  private static <T> T parse(Path snapshot, String what, Parse<T> p) {
    try {
      return p.get();
    } catch (IOException e) {
      throw new UncheckedIOException(new IOException(snapshot + ": unreadable " + what + ": " + e.getMessage(), e));
    }
  }

  /** bucket's entries in order; the unchecked exceptions of action come out as the IOException they carry. */
  private static void forEach(BoltReader db, Path snapshot, byte[] bucket,
      java.util.function.BiConsumer<byte[], byte[]> action) throws IOException {
    try {
      db.forEach(bucket, (k, v) -> {
        if (v != null) { // nested buckets: etcd has none
          action.accept(k, v);
        }
      });
    } catch (BoltFormatException e) {
      throw new IOException(snapshot + ": invalid database: " + e.getMessage(), e);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static String hex(byte[] b) {
    StringBuilder s = new StringBuilder();
    for (byte x : b) {
      s.append(String.format("%02x", x));
    }
    return s.toString();
  }
}
