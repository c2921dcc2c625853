package io.vetch.server.backup;

import com.google.protobuf.ByteString;
import io.vetch.api.authpb.Role;
import io.vetch.api.authpb.User;
import io.vetch.api.etcdserverpb.AlarmMember;
import io.vetch.api.etcdserverpb.Member;
import io.vetch.api.leasepb.Lease;
import io.vetch.api.mvccpb.KeyValue;
import io.vetch.bolt.BoltWriter;
import io.vetch.mvcc.Revision;
import io.vetch.mvcc.StoreImage;
import io.vetch.server.alarm.AlarmStore;
import io.vetch.server.auth.AuthStore;
import io.vetch.server.lease.Lessor;
import io.vetch.server.membership.Membership;
import io.vetch.v2.GoJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * Writes a member's state as etcd's backend file ({@link EtcdDb}), what etcd's Maintenance.Snapshot streams: every
 * revision of the store's history with its tombstones, the compaction, the leases, the membership, the alarms and
 * the auth store. Records that the compaction removes but the store had not yet deleted are left out, as etcd's
 * finished compaction leaves them, so the file is the one etcd would hold after it. The store image is scanned for
 * an index of its records (once more for their keys at or below a compaction), then their values are read in
 * revision order as the file is written, so memory holds an index entry per revision, not the values.
 */
public final class EtcdDbWriter {
  /** The version etcd 3.4 and 3.5 both accept at start (3.5 upgrades it; 3.4 refuses a newer one). */
  static final String CLUSTER_VERSION = "3.4.0";

  /** A record of the image: its revision, and where its KeyValue bytes are. */
  private record Rec(long main, long sub, boolean tombstone, long offset, int length) {}

  private EtcdDbWriter() {}

  /** Writes state as a bbolt file to db (replaced); throws IOException if its image is damaged. */
  public static void write(MemberState state, Path db) throws IOException {
    List<Rec> recs = new ArrayList<>();
    StoreImage.Header h = StoreImage.scan(state.image(),
        (main, sub, tombstone, kv, offset) -> recs.add(new Rec(main, sub, tombstone, offset, kv.length)));
    long compacted = Math.max(h.scheduledCompactRev(), h.finishedCompactRev());
    if (compacted > 0) { // at or below the compaction it keeps each key's newest revision there, if not a tombstone
      Map<ByteString, Rec> newest = new HashMap<>();
      StoreImage.scan(state.image(), (main, sub, tombstone, kv, offset) -> {
        if (main <= compacted) {
          newest.merge(KeyValue.parseFrom(kv).getKey(), new Rec(main, sub, tombstone, offset, kv.length),
              (a, b) -> order(a, b) >= 0 ? a : b);
        }
      });
      Set<Rec> kept = new HashSet<>();
      newest.values().stream().filter(r -> !r.tombstone()).forEach(kept::add);
      recs.removeIf(r -> r.main() <= compacted && !kept.contains(r));
    }
    recs.sort(EtcdDbWriter::order);
    SnapshotData data = state.data();
    try (FileChannel image = FileChannel.open(state.image(), StandardOpenOption.READ);
         BoltWriter w = new BoltWriter(db)) {
      w.bucket(EtcdDb.ALARM, sorted(alarms(data)));
      w.bucket(EtcdDb.AUTH, auth(data));
      AuthStore.Saved auth = data.auth() == null ? null : AuthStore.decodeSaved(data.auth());
      List<Map.Entry<byte[], byte[]>> roles = new ArrayList<>();
      List<Map.Entry<byte[], byte[]>> users = new ArrayList<>();
      if (auth != null) {
        for (Role r : auth.roles()) {
          roles.add(Map.entry(r.getName().toByteArray(), r.toByteArray()));
        }
        for (User u : auth.users()) {
          users.add(Map.entry(u.getName().toByteArray(), u.toByteArray()));
        }
      }
      w.bucket(EtcdDb.AUTH_ROLES, sorted(roles));
      w.bucket(EtcdDb.AUTH_USERS, sorted(users));
      w.bucket(EtcdDb.CLUSTER, List.of(Map.entry(EtcdDb.CLUSTER_VERSION, EtcdDb.ascii(CLUSTER_VERSION))).iterator());
      w.bucket(EtcdDb.KEY, keys(recs, image));
      w.bucket(EtcdDb.LEASE, sorted(leases(data)));
      List<Map.Entry<byte[], byte[]>> members = new ArrayList<>();
      List<Map.Entry<byte[], byte[]>> removed = new ArrayList<>();
      if (data.membership() != null) {
        for (Member m : Membership.decodeMembers(data.membership())) {
          members.add(Map.entry(EtcdDb.ascii(Long.toHexString(m.getID())), memberJson(m)));
        }
        for (long id : Membership.decodeRemoved(data.membership())) {
          removed.add(Map.entry(EtcdDb.ascii(Long.toHexString(id)), EtcdDb.ascii("removed")));
        }
      }
      w.bucket(EtcdDb.MEMBERS, sorted(members));
      w.bucket(EtcdDb.MEMBERS_REMOVED, sorted(removed));
      List<Map.Entry<byte[], byte[]>> meta = new ArrayList<>();
      meta.add(Map.entry(EtcdDb.CONSISTENT_INDEX, EtcdDb.u64(state.index())));
      if (compacted > 0) {
        meta.add(Map.entry(EtcdDb.FINISHED_COMPACT_REV, Revision.etcdBytes(compacted, 0, false)));
        meta.add(Map.entry(EtcdDb.SCHEDULED_COMPACT_REV, Revision.etcdBytes(compacted, 0, false)));
      }
      w.bucket(EtcdDb.META, sorted(meta));
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static int order(Rec a, Rec b) {
    int c = Long.compare(a.main(), b.main());
    return c != 0 ? c : Long.compare(a.sub(), b.sub());
  }

  /** Bucket "key" in revision order, each value read from the image as it is written. */
  private static Iterator<Map.Entry<byte[], byte[]>> keys(List<Rec> recs, FileChannel image) {
    Iterator<Rec> it = recs.iterator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public Map.Entry<byte[], byte[]> next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Rec r = it.next();
        ByteBuffer kv = ByteBuffer.allocate(r.length());
        try {
          while (kv.hasRemaining()) {
            if (image.read(kv, r.offset() + kv.position()) < 0) {
              throw new IOException("store image ends inside revision " + r.main() + "_" + r.sub());
            }
          }
          byte[] value = kv.array();
          if (r.tombstone()) { // etcd's tombstone value is the key alone
            value = KeyValue.newBuilder().setKey(KeyValue.parseFrom(value).getKey()).build().toByteArray();
          }
          return Map.entry(Revision.etcdBytes(r.main(), r.sub(), r.tombstone()), value);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }

  private static List<Map.Entry<byte[], byte[]>> alarms(SnapshotData data) throws IOException {
    List<Map.Entry<byte[], byte[]>> out = new ArrayList<>();
    if (data.alarms() != null) {
      for (AlarmMember a : AlarmStore.decodeAlarms(data.alarms())) {
        out.add(Map.entry(a.toByteArray(), new byte[0]));
      }
    }
    return out;
  }

  private static Iterator<Map.Entry<byte[], byte[]>> auth(SnapshotData data) throws IOException {
    boolean enabled = false;
    long revision = 1;
    if (data.auth() != null) {
      AuthStore.Saved s = AuthStore.decodeSaved(data.auth());
      enabled = s.enabled();
      revision = s.revision();
    }
    return List.of(Map.entry(EtcdDb.AUTH_ENABLED, new byte[] {(byte) (enabled ? 1 : 0)}),
        Map.entry(EtcdDb.AUTH_REVISION, EtcdDb.u64(revision))).iterator();
  }

  private static List<Map.Entry<byte[], byte[]>> leases(SnapshotData data) throws IOException {
    List<Map.Entry<byte[], byte[]>> out = new ArrayList<>();
    if (data.leases() != null) {
      for (Lessor.Saved l : Lessor.decodeSaved(data.leases())) {
        out.add(Map.entry(EtcdDb.u64(l.id()), Lease.newBuilder().setID(l.id()).setTTL(l.ttl())
            .setRemainingTTL(l.checkpointed()).build().toByteArray()));
      }
    }
    return out;
  }

  private static Iterator<Map.Entry<byte[], byte[]>> sorted(List<Map.Entry<byte[], byte[]>> entries) {
    List<Map.Entry<byte[], byte[]>> copy = new ArrayList<>(entries);
    copy.sort(Comparator.comparing(Map.Entry::getKey, Arrays::compareUnsigned));
    return copy.iterator();
  }

  /** A member as etcd's encoding/json writes membership.Member (IDs unsigned, Go's HTML-safe escaping). */
  static byte[] memberJson(Member m) {
    StringBuilder b = new StringBuilder("{\"id\":").append(Long.toUnsignedString(m.getID()));
    b.append(",\"peerURLs\":");
    strings(b, m.getPeerURLsList());
    if (m.getIsLearner()) {
      b.append(",\"isLearner\":true");
    }
    if (!m.getName().isEmpty()) {
      b.append(",\"name\":");
      GoJson.string(b, m.getName());
    }
    if (m.getClientURLsCount() > 0) {
      b.append(",\"clientURLs\":");
      strings(b, m.getClientURLsList());
    }
    return b.append('}').toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static void strings(StringBuilder b, List<String> values) {
    b.append('[');
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      GoJson.string(b, values.get(i));
    }
    b.append(']');
  }


}
