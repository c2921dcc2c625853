package io.vetch.server.grpc;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.vetch.api.authpb.Permission;
import io.vetch.api.etcdserverpb.*;
import io.vetch.mvcc.KvStore;
import io.vetch.mvcc.StoreOptions;
import io.vetch.server.alarm.AlarmStore;
import io.vetch.server.apply.Applier;
import io.vetch.server.apply.ClusterState;
import io.vetch.server.apply.RequestChecks;
import io.vetch.server.auth.AuthStore;
import io.vetch.server.auth.SimpleTokens;
import io.vetch.server.lease.Lessor;
import io.vetch.server.wire.GrpcFraming;
import io.vetch.testing.Fuzzing;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.server.StatusException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes the etcd requests a client sends, against a real store: {@code requests} takes a series of framed messages
 * (gRPC's length-prefixed framing, cut by {@link GrpcFraming#parser}, each message preceded by a byte naming its
 * type), parses each as that request type, runs the checks its handler runs before proposing (RequestChecks, the
 * lease TTL limit, member URLs) and applies it as the member applies a committed entry ({@link Applier} on a KvStore
 * with a Chronicle Map backend, leases, alarms and auth), the nested txns, auth requests and alarms included;
 * {@code entry} takes the bytes as a committed Raft entry's InternalRaftRequest and applies it. Every request must
 * end in a response or in etcd's error, never in an exception.
 */
class GrpcRequestFuzzTest {
  private static final int MAX_TXN_OPS = 128;
  private static final int MAX_REQUEST_BYTES = 1 << 16;
  private static Path dir;
  private static KvStore store;
  private static long index;

  /** The request types, by the byte before each message; each with what its handler does before proposing. */
  private record Kind<Q extends Message>(Parser<Q> parser, Check<Q> check,
      Function<Q, InternalRaftRequest.Builder> propose) {}

  private interface Check<Q> {
    void check(Q request) throws StatusException;
  }

  private static final List<Kind<?>> KINDS = List.of(
      new Kind<>(RangeRequest.parser(), RequestChecks::range, r -> InternalRaftRequest.newBuilder().setRange(r)),
      new Kind<>(PutRequest.parser(), RequestChecks::put, r -> InternalRaftRequest.newBuilder().setPut(r)),
      new Kind<>(DeleteRangeRequest.parser(), RequestChecks::deleteRange,
          r -> InternalRaftRequest.newBuilder().setDeleteRange(r)),
      new Kind<>(TxnRequest.parser(), r -> RequestChecks.txn(r, MAX_TXN_OPS),
          r -> InternalRaftRequest.newBuilder().setTxn(r)),
      new Kind<>(CompactionRequest.parser(), r -> { }, r -> InternalRaftRequest.newBuilder().setCompaction(r)),
      new Kind<>(LeaseGrantRequest.parser(), GrpcRequestFuzzTest::ttl,
          r -> InternalRaftRequest.newBuilder().setLeaseGrant(r.getID() != 0 ? r : r.toBuilder().setID(++index)
              .build())),
      new Kind<>(LeaseRevokeRequest.parser(), r -> { }, r -> InternalRaftRequest.newBuilder().setLeaseRevoke(r)),
      new Kind<>(AlarmRequest.parser(), r -> { }, r -> InternalRaftRequest.newBuilder().setAlarm(r)),
      new Kind<>(AuthEnableRequest.parser(), r -> { }, r -> InternalRaftRequest.newBuilder().setAuthEnable(r)),
      new Kind<>(AuthDisableRequest.parser(), r -> { }, r -> InternalRaftRequest.newBuilder().setAuthDisable(r)),
      new Kind<>(AuthUserAddRequest.parser(), r -> { },
          r -> InternalRaftRequest.newBuilder().setAuthUserAdd(r.toBuilder().clearPassword())),
      new Kind<>(AuthUserDeleteRequest.parser(), r -> { },
          r -> InternalRaftRequest.newBuilder().setAuthUserDelete(r)),
      new Kind<>(AuthUserGetRequest.parser(), r -> { }, r -> InternalRaftRequest.newBuilder().setAuthUserGet(r)),
      new Kind<>(AuthUserGrantRoleRequest.parser(), r -> { },
          r -> InternalRaftRequest.newBuilder().setAuthUserGrantRole(r)),
      new Kind<>(AuthUserRevokeRoleRequest.parser(), r -> { },
          r -> InternalRaftRequest.newBuilder().setAuthUserRevokeRole(r)),
      new Kind<>(AuthRoleAddRequest.parser(), r -> { }, r -> InternalRaftRequest.newBuilder().setAuthRoleAdd(r)),
      new Kind<>(AuthRoleDeleteRequest.parser(), r -> { },
          r -> InternalRaftRequest.newBuilder().setAuthRoleDelete(r)),
      new Kind<>(AuthRoleGetRequest.parser(), r -> { }, r -> InternalRaftRequest.newBuilder().setAuthRoleGet(r)),
      new Kind<>(AuthRoleGrantPermissionRequest.parser(), r -> { },
          r -> InternalRaftRequest.newBuilder().setAuthRoleGrantPermission(r)),
      new Kind<>(AuthRoleRevokePermissionRequest.parser(), r -> { },
          r -> InternalRaftRequest.newBuilder().setAuthRoleRevokePermission(r)),
      new Kind<>(AuthUserListRequest.parser(), r -> { }, r -> InternalRaftRequest.newBuilder().setAuthUserList(r)),
      new Kind<>(AuthRoleListRequest.parser(), r -> { }, r -> InternalRaftRequest.newBuilder().setAuthRoleList(r)),
      new Kind<>(AuthStatusRequest.parser(), r -> { }, r -> InternalRaftRequest.newBuilder().setAuthStatus(r)),
      new Kind<>(MemberAddRequest.parser(), r -> urls(r.getPeerURLsList()), r -> null),
      new Kind<>(MemberUpdateRequest.parser(), r -> urls(r.getPeerURLsList()), r -> null));

  @BeforeAll
  static void open() throws IOException {
    dir = Fuzzing.scratch("grpc");
    store = KvStore.open(dir.resolve("store"), new StoreOptions(1000, 32));
  }

  @AfterAll
  static void close() throws IOException {
    store.close();
    Fuzzing.delete(dir);
  }

  /** A fresh member state around the shared store: no leases but one, no alarms, auth off. */
  private static Applier applier() throws IOException {
    Path file = dir.resolve("leases");
    java.nio.file.Files.deleteIfExists(file);
    Lessor leases = Lessor.load(file, 2, List.of(), System::nanoTime);
    leases.grant(7, 10);
    return new Applier(store, leases, AlarmStore.inMemory(), AuthStore.inMemory(),
        new SimpleTokens(300, System::nanoTime), new ClusterState() {
          @Override
          public void applyAttributes(io.vetch.api.membershippb.ClusterMemberAttrSetRequest r) { }

          @Override
          public void applyDowngrade(io.vetch.api.membershippb.DowngradeInfoSetRequest r) { }
        }, 11, 22, new io.vetch.v2.V2Store());
  }

  @FuzzTest(maxDuration = "10m")
  void requests(byte[] data) throws IOException {
    Applier applier = applier();
    List<String> errors = new ArrayList<>();
    var parser = GrpcFraming.parser(MAX_REQUEST_BYTES, message -> {
      if (message.length() == 0) {
        return;
      }
      Kind<?> kind = KINDS.get((message.getByte(0) & 0xFF) % KINDS.size());
      handle(applier, kind, message.getBytes(1, message.length()));
    }, errors::add);
    parser.handle(Buffer.buffer(data));
  }

  private static <Q extends Message> void handle(Applier applier, Kind<Q> kind, byte[] bytes) {
    Q request;
    try {
      request = kind.parser().parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      return; // vertx-grpc answers INTERNAL before any handler runs
    }
    try {
      kind.check().check(request);
    } catch (StatusException e) {
      return; // etcd's error for the request
    } catch (IllegalArgumentException e) {
      return; // bad member URLs: etcd's ErrMemberBadURLs
    }
    InternalRaftRequest.Builder r = kind.propose().apply(request);
    if (r != null) {
      applier.apply(r.build(), ++index, 2).response();
    }
  }

  @FuzzTest(maxDuration = "10m")
  void entry(byte[] data) throws IOException {
    InternalRaftRequest r;
    try {
      r = InternalRaftRequest.parseFrom(data);
    } catch (InvalidProtocolBufferException e) {
      return;
    }
    applier().apply(r, ++index, 2);
  }

  private static void ttl(LeaseGrantRequest r) throws StatusException {
    if (r.getTTL() > Lessor.MAX_TTL) {
      throw io.vetch.server.base.EtcdErrors.leaseTtlTooLarge();
    }
  }

  private static void urls(List<String> raw) {
    ClusterServer.peerUrls(raw);
  }

  static Map<String, Map<String, byte[]>> seeds() {
    ByteString a = ByteString.copyFromUtf8("a");
    ByteString b = ByteString.copyFromUtf8("b");
    PutRequest put = PutRequest.newBuilder().setKey(a).setValue(b).setPrevKv(true).build();
    RangeRequest range = RangeRequest.newBuilder().setKey(a).setRangeEnd(ByteString.copyFromUtf8("z"))
        .setSortOrder(RangeRequest.SortOrder.DESCEND).setLimit(10).build();
    TxnRequest inner = TxnRequest.newBuilder().addCompare(Compare.newBuilder().setKey(b)
            .setTarget(Compare.CompareTarget.VERSION).setResult(Compare.CompareResult.EQUAL).setVersion(0))
        .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(b).setValue(a))).build();
    TxnRequest txn = TxnRequest.newBuilder().addCompare(Compare.newBuilder().setKey(a)
            .setTarget(Compare.CompareTarget.VALUE).setResult(Compare.CompareResult.GREATER).setValue(a))
        .addSuccess(RequestOp.newBuilder().setRequestRange(range))
        .addSuccess(RequestOp.newBuilder().setRequestTxn(inner))
        .addFailure(RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder().setKey(a)
            .setPrevKv(true))).build();
    Map<String, byte[]> requests = new LinkedHashMap<>();
    requests.put("kv", frames(put, range, txn, DeleteRangeRequest.newBuilder().setKey(a).build(),
        CompactionRequest.newBuilder().setRevision(2).build()));
    requests.put("lease", frames(LeaseGrantRequest.newBuilder().setTTL(60).setID(9).build(),
        PutRequest.newBuilder().setKey(a).setValue(b).setLease(9).build(), LeaseRevokeRequest.newBuilder().setID(9)
            .build()));
    requests.put("auth", frames(AuthRoleAddRequest.newBuilder().setName("root").build(),
        AuthUserAddRequest.newBuilder().setName("root").setOptions(io.vetch.api.authpb.UserAddOptions.newBuilder()
            .setNoPassword(true)).build(),
        AuthUserGrantRoleRequest.newBuilder().setUser("root").setRole("root").build(),
        AuthRoleAddRequest.newBuilder().setName("r").build(),
        AuthRoleGrantPermissionRequest.newBuilder().setName("r").setPerm(Permission.newBuilder().setKey(a)
            .setRangeEnd(b).setPermType(Permission.Type.READWRITE)).build(),
        AuthEnableRequest.getDefaultInstance(), AuthUserListRequest.getDefaultInstance(),
        AuthDisableRequest.getDefaultInstance()));
    requests.put("alarm", frames(AlarmRequest.newBuilder().setAction(AlarmRequest.AlarmAction.ACTIVATE)
        .setMemberID(22).setAlarm(AlarmType.NOSPACE).build(), put, AlarmRequest.newBuilder()
        .setAction(AlarmRequest.AlarmAction.DEACTIVATE).setMemberID(22).setAlarm(AlarmType.NOSPACE).build()));
    requests.put("members", frames(MemberAddRequest.newBuilder().addPeerURLs("http://10.0.0.4:2380").build(),
        MemberUpdateRequest.newBuilder().setID(5).addPeerURLs("https://[::1]:2380").build()));
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("put", InternalRaftRequest.newBuilder().setPut(put).build().toByteArray());
    entries.put("txn", InternalRaftRequest.newBuilder().setTxn(txn).build().toByteArray());
    entries.put("lease-checkpoint", InternalRaftRequest.newBuilder().setLeaseCheckpoint(
        LeaseCheckpointRequest.newBuilder().addCheckpoints(LeaseCheckpoint.newBuilder().setID(7)
            .setRemainingTTL(5))).build().toByteArray());
    entries.put("auth-user", InternalRaftRequest.newBuilder().setAuthUserAdd(AuthUserAddRequest.newBuilder()
        .setName("u").setHashedPassword("$2a$10$x")).build().toByteArray());
    return Map.of("requests", requests, "entry", entries);
  }

  /** Each request framed as gRPC frames it, its message preceded by the byte naming its type. */
  private static byte[] frames(Message... requests) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Message m : requests) {
      int kind = -1;
      for (int i = 0; i < KINDS.size(); i++) {
        if (KINDS.get(i).parser() == m.getParserForType()) {
          kind = i;
        }
      }
      byte[] body = m.toByteArray();
      Buffer f = Buffer.buffer().appendByte((byte) 0).appendInt(body.length + 1).appendByte((byte) kind)
          .appendBytes(body);
      out.writeBytes(f.getBytes());
    }
    return out.toByteArray();
  }
}
