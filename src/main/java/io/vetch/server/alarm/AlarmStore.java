package io.vetch.server.alarm;

import io.vetch.api.etcdserverpb.AlarmMember;
import io.vetch.api.etcdserverpb.AlarmType;
import io.vetch.server.base.StateBytes;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * etcd's alarm store: the raised alarms (member id, type), changed only by applied Alarm requests, so every member
 * agrees. Persisted in member/alarms after each change (temporary file, fsync, rename): changes are rare, and
 * re-applying one after a crash is harmless (activate and deactivate are idempotent).
 * <p>
 * Threading: the storage worker changes it; any thread reads it (copy-on-write snapshot).
 */
public final class AlarmStore {
  private record Alarm(long member, int type) implements Comparable<Alarm> {
    @Override
    public int compareTo(Alarm o) {
      int c = Long.compareUnsigned(member, o.member);
      return c != 0 ? c : Integer.compare(type, o.type);
    }

    AlarmMember toProto() {
      return AlarmMember.newBuilder().setMemberID(member).setAlarmValue(type).build();
    }
  }

  private final Path file;
  private volatile List<Alarm> alarms;

  private AlarmStore(Path file, List<Alarm> alarms) {
    this.file = file;
    this.alarms = alarms;
  }

  /** Alarms kept in memory only (tests, tools). */
  public static AlarmStore inMemory() {
    return new AlarmStore(null, List.of());
  }

  /** Loads the alarms persisted in file (none when it does not exist). */
  public static AlarmStore load(Path file) throws IOException {
    if (!Files.exists(file)) {
      return new AlarmStore(file, List.of());
    }
    return new AlarmStore(file, decode(Files.readAllBytes(file)));
  }

  /** Every raised alarm of type (all of them for NONE), ordered by member then type. Any thread. */
  public List<AlarmMember> get(AlarmType type) {
    return get(type.getNumber());
  }

  /** As {@link #get(AlarmType)}, by the type's number: a client may name a type this version does not know. */
  public List<AlarmMember> get(int type) {
    List<AlarmMember> out = new ArrayList<>();
    for (Alarm a : alarms) {
      if (type == AlarmType.NONE_VALUE || a.type == type) {
        out.add(a.toProto());
      }
    }
    return out;
  }

  /** Whether an alarm of type is raised for any member. Any thread. */
  public boolean active(AlarmType type) {
    for (Alarm a : alarms) {
      if (a.type == type.getNumber()) {
        return true;
      }
    }
    return false;
  }

  /** Raises the alarm; returns it, or null when it was already raised. Storage worker. */
  public AlarmMember activate(long member, AlarmType type) {
    return activate(member, type.getNumber());
  }

  /** As {@link #activate(long, AlarmType)}, by the type's number (etcd keeps a type it does not know, too). */
  public AlarmMember activate(long member, int type) {
    Alarm a = new Alarm(member, type);
    TreeSet<Alarm> next = new TreeSet<>(alarms);
    if (!next.add(a)) {
      return null;
    }
    set(List.copyOf(next));
    return a.toProto();
  }

  /** Clears the alarm; returns it, or null when it was not raised. Storage worker. */
  public AlarmMember deactivate(long member, AlarmType type) {
    return deactivate(member, type.getNumber());
  }

  /** As {@link #deactivate(long, AlarmType)}, by the type's number. */
  public AlarmMember deactivate(long member, int type) {
    Alarm a = new Alarm(member, type);
    TreeSet<Alarm> next = new TreeSet<>(alarms);
    if (!next.remove(a)) {
      return null;
    }
    set(List.copyOf(next));
    return a.toProto();
  }

  /** The alarms as bytes (for a Raft snapshot): u32 count, then count times u64 member | u32 type. */
  public byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      List<Alarm> all = alarms;
      out.writeInt(all.size());
      for (Alarm a : all) {
        out.writeLong(a.member);
        out.writeInt(a.type);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** The alarms in bytes from {@link #toBytes}. */
  public static List<AlarmMember> decodeAlarms(byte[] data) throws IOException {
    return decode(data).stream().map(Alarm::toProto).toList();
  }

  /** Replaces every alarm with those in data (from {@link #toBytes}), as a snapshot install does. Storage worker. */
  public void restore(byte[] data) {
    try {
      set(decode(data));
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable alarms in a snapshot", e);
    }
  }

  private static List<Alarm> decode(byte[] data) throws IOException {
    StateBytes in = new StateBytes(data, "alarms");
    TreeSet<Alarm> all = new TreeSet<>();
    for (int n = in.readCount(12); n > 0; n--) {
      all.add(new Alarm(in.readLong(), in.readInt()));
    }
    in.end();
    return List.copyOf(all);
  }

  private void set(List<Alarm> next) {
    alarms = next;
    if (file == null) {
      return;
    }
    try {
      io.vetch.server.base.DurableFile.replace(file, toBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("persisting alarms to " + file, e);
    }
  }
}
