package io.vetch.server.auth;

import com.google.protobuf.ByteString;
import io.vetch.api.authpb.Permission;
import io.vetch.api.authpb.Role;
import io.vetch.api.authpb.User;
import io.vetch.api.authpb.UserAddOptions;
import io.vetch.server.base.DurableFile;
import io.vetch.server.base.EtcdErrors;
import io.vetch.server.base.StateBytes;
import io.vertx.grpc.server.StatusException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * etcd's auth store: users (bcrypt password hashes, roles), roles (key permissions), whether auth is enabled, and
 * the auth revision, bumped by every change. Changed only by applied requests, so every member agrees; persisted in
 * member/auth after each change and carried in snapshots.
 * <p>
 * Threading: the storage worker changes it; any thread reads it (an immutable state swapped atomically, with each
 * user's permissions merged into intervals once per change).
 */
public final class AuthStore {
  public static final String ROOT = "root";
  /** What RoleGet shows for the root role: read-write over every key. */
  private static final Permission ROOT_PERM = Permission.newBuilder().setPermType(Permission.Type.READWRITE)
      .setKey(ByteString.EMPTY).setRangeEnd(ByteString.copyFrom(new byte[] {0})).build();

  private record State(boolean enabled, long revision, Map<String, User> users, Map<String, Role> roles,
      Map<String, RangePerms[]> perms) {}

  private final Path file;
  private volatile State state;

  private AuthStore(Path file, State state) {
    this.file = file;
    this.state = state;
  }

  public static AuthStore inMemory() {
    return new AuthStore(null, state(false, 1, new TreeMap<>(), new TreeMap<>()));
  }

  public static AuthStore load(Path file) throws IOException {
    if (!Files.exists(file)) {
      return new AuthStore(file, state(false, 1, new TreeMap<>(), new TreeMap<>()));
    }
    return new AuthStore(file, decode(Files.readAllBytes(file)));
  }

  public boolean enabled() {
    return state.enabled;
  }

  public long revision() {
    return state.revision;
  }

  /** The user, or null. Any thread. */
  public User user(String name) {
    return state.users.get(name);
  }

  // ---- changes (storage worker) ----

  public void enable() throws StatusException {
    State s = state;
    if (s.enabled) {
      return;
    }
    User root = s.users.get(ROOT);
    if (root == null) {
      throw EtcdErrors.failedPrecondition("etcdserver: root user does not exist");
    }
    if (!root.getRolesList().contains(ROOT)) {
      throw EtcdErrors.failedPrecondition("etcdserver: root user does not have root role");
    }
    commit(true, s.users, s.roles);
  }

  public void disable() {
    State s = state;
    if (s.enabled) {
      commit(false, s.users, s.roles);
    }
  }

  /** hashedPassword: the bcrypt hash made by the member that took the request (null for no_password users). */
  public void userAdd(String name, byte[] hashedPassword, boolean noPassword) throws StatusException {
    State s = state;
    if (name.isEmpty()) {
      throw EtcdErrors.invalidArgument("etcdserver: user name is empty");
    }
    if (s.users.containsKey(name)) {
      throw EtcdErrors.failedPrecondition("etcdserver: user name already exists");
    }
    User.Builder u = User.newBuilder().setName(utf8(name)).setOptions(UserAddOptions.newBuilder().setNoPassword(noPassword));
    if (!noPassword) {
      u.setPassword(ByteString.copyFrom(hashedPassword));
    }
    Map<String, User> users = new TreeMap<>(s.users);
    users.put(name, u.build());
    commit(s.enabled, users, s.roles);
  }

  public void userDelete(String name) throws StatusException {
    State s = state;
    if (s.enabled && name.equals(ROOT)) {
      throw invalidMgmt();
    }
    if (!s.users.containsKey(name)) {
      throw userNotFound();
    }
    Map<String, User> users = new TreeMap<>(s.users);
    users.remove(name);
    commit(s.enabled, users, s.roles);
  }

  public void userChangePassword(String name, byte[] hashedPassword) throws StatusException {
    State s = state;
    User u = s.users.get(name);
    if (u == null) {
      throw userNotFound();
    }
    User.Builder b = u.toBuilder();
    if (!u.getOptions().getNoPassword()) {
      b.setPassword(ByteString.copyFrom(hashedPassword));
    }
    Map<String, User> users = new TreeMap<>(s.users);
    users.put(name, b.build());
    commit(s.enabled, users, s.roles);
  }

  public void userGrantRole(String name, String role) throws StatusException {
    State s = state;
    User u = s.users.get(name);
    if (u == null) {
      throw userNotFound();
    }
    if (!role.equals(ROOT) && !s.roles.containsKey(role)) {
      throw roleNotFound();
    }
    if (u.getRolesList().contains(role)) {
      return; // etcd ignores a duplicate grant
    }
    List<String> roles = new ArrayList<>(u.getRolesList());
    roles.add(role);
    Collections.sort(roles);
    Map<String, User> users = new TreeMap<>(s.users);
    users.put(name, u.toBuilder().clearRoles().addAllRoles(roles).build());
    commit(s.enabled, users, s.roles);
  }

  public void userRevokeRole(String name, String role) throws StatusException {
    State s = state;
    if (s.enabled && name.equals(ROOT) && role.equals(ROOT)) {
      throw invalidMgmt();
    }
    User u = s.users.get(name);
    if (u == null) {
      throw userNotFound();
    }
    if (!u.getRolesList().contains(role)) {
      throw EtcdErrors.failedPrecondition("etcdserver: role is not granted to the user");
    }
    List<String> roles = new ArrayList<>(u.getRolesList());
    roles.remove(role);
    Map<String, User> users = new TreeMap<>(s.users);
    users.put(name, u.toBuilder().clearRoles().addAllRoles(roles).build());
    commit(s.enabled, users, s.roles);
  }

  /** The user's roles. */
  public List<String> userGet(String name) throws StatusException {
    User u = state.users.get(name);
    if (u == null) {
      throw userNotFound();
    }
    return u.getRolesList();
  }

  public List<String> userList() {
    return new ArrayList<>(state.users.keySet());
  }

  public void roleAdd(String name) throws StatusException {
    State s = state;
    if (name.isEmpty()) {
      throw EtcdErrors.invalidArgument("etcdserver: role name is empty");
    }
    if (s.roles.containsKey(name)) {
      throw EtcdErrors.failedPrecondition("etcdserver: role name already exists");
    }
    Map<String, Role> roles = new TreeMap<>(s.roles);
    roles.put(name, Role.newBuilder().setName(utf8(name)).build());
    commit(s.enabled, s.users, roles);
  }

  public List<Permission> roleGet(String name) throws StatusException {
    Role r = state.roles.get(name);
    if (r == null) {
      throw roleNotFound();
    }
    return name.equals(ROOT) ? List.of(ROOT_PERM) : r.getKeyPermissionList();
  }

  public List<String> roleList() {
    return new ArrayList<>(state.roles.keySet());
  }

  public void roleDelete(String name) throws StatusException {
    State s = state;
    if (s.enabled && name.equals(ROOT)) {
      throw invalidMgmt();
    }
    if (!s.roles.containsKey(name)) {
      throw roleNotFound();
    }
    Map<String, Role> roles = new TreeMap<>(s.roles);
    roles.remove(name);
    Map<String, User> users = new TreeMap<>(s.users);
    users.replaceAll((n, u) -> {
      if (!u.getRolesList().contains(name)) {
        return u;
      }
      List<String> left = new ArrayList<>(u.getRolesList());
      left.remove(name);
      return u.toBuilder().clearRoles().addAllRoles(left).build();
    });
    commit(s.enabled, users, roles);
  }

  public void roleGrantPermission(String name, Permission perm) throws StatusException {
    State s = state;
    if (!validRange(perm.getKey().toByteArray(), perm.getRangeEnd().toByteArray())) {
      throw invalidMgmt();
    }
    Role r = s.roles.get(name);
    if (r == null) {
      throw roleNotFound();
    }
    List<Permission> perms = new ArrayList<>(r.getKeyPermissionList());
    boolean updated = false;
    for (int i = 0; i < perms.size(); i++) {
      Permission p = perms.get(i);
      if (p.getKey().equals(perm.getKey()) && p.getRangeEnd().equals(perm.getRangeEnd())) {
        perms.set(i, p.toBuilder().setPermType(perm.getPermType()).build());
        updated = true;
      }
    }
    if (!updated) {
      perms.add(perm);
      perms.sort((a, b) -> java.util.Arrays.compareUnsigned(a.getKey().toByteArray(), b.getKey().toByteArray()));
    }
    Map<String, Role> roles = new TreeMap<>(s.roles);
    roles.put(name, r.toBuilder().clearKeyPermission().addAllKeyPermission(perms).build());
    commit(s.enabled, s.users, roles);
  }

  public void roleRevokePermission(String name, byte[] key, byte[] rangeEnd) throws StatusException {
    State s = state;
    Role r = s.roles.get(name);
    if (r == null) {
      throw roleNotFound();
    }
    List<Permission> perms = new ArrayList<>();
    for (Permission p : r.getKeyPermissionList()) {
      if (!java.util.Arrays.equals(p.getKey().toByteArray(), key)
          || !java.util.Arrays.equals(p.getRangeEnd().toByteArray(), rangeEnd)) {
        perms.add(p);
      }
    }
    if (perms.size() == r.getKeyPermissionCount()) {
      throw EtcdErrors.failedPrecondition("etcdserver: permission is not granted to the role");
    }
    Map<String, Role> roles = new TreeMap<>(s.roles);
    roles.put(name, r.toBuilder().clearKeyPermission().addAllKeyPermission(perms).build());
    commit(s.enabled, s.users, roles);
  }

  // ---- checks (any thread) ----

  /** etcd's IsAdminPermitted: with auth enabled, the user must exist and have the root role. */
  public void checkAdmin(AuthInfo who) throws StatusException {
    State s = state;
    if (!s.enabled) {
      return;
    }
    if (who.user().isEmpty()) {
      throw userEmpty();
    }
    User u = s.users.get(who.user());
    if (u == null) {
      throw userNotFound();
    }
    if (!u.getRolesList().contains(ROOT)) {
      throw EtcdErrors.permissionDenied();
    }
  }

  /** Read permission over [key, rangeEnd) (etcd's IsRangePermitted). */
  public void checkRead(AuthInfo who, byte[] key, byte[] rangeEnd) throws StatusException {
    check(who, key, rangeEnd, false);
  }

  /** Write permission over [key, rangeEnd) (IsPutPermitted with an empty rangeEnd, IsDeleteRangePermitted). */
  public void checkWrite(AuthInfo who, byte[] key, byte[] rangeEnd) throws StatusException {
    check(who, key, rangeEnd, true);
  }

  /** Whether the user has the role (RoleGet is allowed on one's own roles). */
  public boolean hasRole(String user, String role) {
    User u = state.users.get(user);
    return u != null && u.getRolesList().contains(role);
  }

  private void check(AuthInfo who, byte[] key, byte[] rangeEnd, boolean write) throws StatusException {
    State s = state;
    if (!s.enabled) {
      return;
    }
    if (who.revision() == 0) {
      throw userEmpty();
    }
    if (who.revision() < s.revision) {
      throw EtcdErrors.invalidArgument("etcdserver: revision of auth store is old");
    }
    User u = s.users.get(who.user());
    if (u == null) {
      throw EtcdErrors.permissionDenied();
    }
    if (u.getRolesList().contains(ROOT)) {
      return;
    }
    RangePerms[] p = s.perms.get(who.user());
    if (p == null || !p[write ? 1 : 0].permits(key, rangeEnd)) {
      throw EtcdErrors.permissionDenied();
    }
  }

  // ---- persistence and snapshots ----

  /** u8 enabled | u64 revision | u32 users | (u32 len | User)* | u32 roles | (u32 len | Role)*. */
  public byte[] toBytes() {
    return encode(state);
  }

  /** What {@link #toBytes} carries, for converters of other formats (etcd's auth buckets). */
  public record Saved(boolean enabled, long revision, List<User> users, List<Role> roles) {}

  /** The auth state in bytes from {@link #toBytes}. */
  public static Saved decodeSaved(byte[] data) throws IOException {
    State s = decode(data);
    return new Saved(s.enabled, s.revision, List.copyOf(s.users.values()), List.copyOf(s.roles.values()));
  }

  /** Bytes as {@link #toBytes} for saved. */
  public static byte[] encodeSaved(Saved saved) {
    Map<String, User> users = new TreeMap<>();
    saved.users().forEach(u -> users.put(u.getName().toStringUtf8(), u));
    Map<String, Role> roles = new TreeMap<>();
    saved.roles().forEach(r -> roles.put(r.getName().toStringUtf8(), r));
    return encode(state(saved.enabled(), saved.revision(), users, roles));
  }

  /** Replaces everything with data from {@link #toBytes}, as a snapshot install does. Storage worker. */
  public void restore(byte[] data) {
    try {
      set(decode(data));
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable auth state in a snapshot", e);
    }
  }

  private void commit(boolean enabled, Map<String, User> users, Map<String, Role> roles) {
    set(state(enabled, state.revision + 1, users, roles));
  }

  private void set(State next) {
    state = next;
    if (file != null) {
      try {
        DurableFile.replace(file, encode(next));
      } catch (IOException e) {
        throw new UncheckedIOException("persisting the auth store to " + file, e);
      }
    }
  }

  private static State state(boolean enabled, long revision, Map<String, User> users, Map<String, Role> roles) {
    Map<String, RangePerms[]> perms = new HashMap<>();
    users.forEach((name, u) -> {
      List<Permission> all = new ArrayList<>();
      for (String role : u.getRolesList()) {
        Role r = roles.get(role);
        if (r != null) {
          all.addAll(r.getKeyPermissionList());
        }
      }
      perms.put(name, new RangePerms[] {RangePerms.of(all, false), RangePerms.of(all, true)});
    });
    return new State(enabled, revision, Collections.unmodifiableMap(users), Collections.unmodifiableMap(roles),
        perms);
  }

  private static byte[] encode(State s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeBoolean(s.enabled);
      out.writeLong(s.revision);
      out.writeInt(s.users.size());
      for (User u : s.users.values()) {
        byte[] b = u.toByteArray();
        out.writeInt(b.length);
        out.write(b);
      }
      out.writeInt(s.roles.size());
      for (Role r : s.roles.values()) {
        byte[] b = r.toByteArray();
        out.writeInt(b.length);
        out.write(b);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static State decode(byte[] data) throws IOException {
    StateBytes in = new StateBytes(data, "auth");
    boolean enabled = in.readBoolean();
    long revision = in.readLong();
    Map<String, User> users = new TreeMap<>();
    for (int i = in.readCount(4); i > 0; i--) {
      User u = User.parseFrom(in.readBlob());
      users.put(u.getName().toStringUtf8(), u);
    }
    Map<String, Role> roles = new TreeMap<>();
    for (int i = in.readCount(4); i > 0; i--) {
      Role r = Role.parseFrom(in.readBlob());
      roles.put(r.getName().toStringUtf8(), r);
    }
    in.end();
    return state(enabled, revision, users, roles);
  }

  /** etcd's isValidPermissionRange: a key, and a range end after it (or "\0", or none). */
  private static boolean validRange(byte[] key, byte[] rangeEnd) {
    if (key.length == 0) {
      return false;
    }
    if (rangeEnd.length == 0 || (rangeEnd.length == 1 && rangeEnd[0] == 0)) {
      return true;
    }
    return java.util.Arrays.compareUnsigned(key, rangeEnd) < 0;
  }

  private static ByteString utf8(String s) {
    return ByteString.copyFrom(s, StandardCharsets.UTF_8);
  }

  static StatusException userEmpty() {
    return EtcdErrors.invalidArgument("etcdserver: user name is empty");
  }

  private static StatusException userNotFound() {
    return EtcdErrors.failedPrecondition("etcdserver: user name not found");
  }

  private static StatusException roleNotFound() {
    return EtcdErrors.failedPrecondition("etcdserver: role name not found");
  }

  private static StatusException invalidMgmt() {
    return EtcdErrors.invalidArgument("etcdserver: invalid auth management");
  }
}
