package io.vetch.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.vetch.api.authpb.Permission;
import io.vetch.api.etcdserverpb.AuthEnableRequest;
import io.vetch.api.etcdserverpb.AuthGrpcClient;
import io.vetch.api.etcdserverpb.AuthRoleAddRequest;
import io.vetch.api.etcdserverpb.AuthRoleGrantPermissionRequest;
import io.vetch.api.etcdserverpb.AuthUserAddRequest;
import io.vetch.api.etcdserverpb.AuthUserGrantRoleRequest;
import io.vetch.api.etcdserverpb.AuthUserListRequest;
import io.vetch.api.etcdserverpb.AuthenticateRequest;
import io.vetch.api.etcdserverpb.CompactionRequest;
import io.vetch.api.etcdserverpb.Compare;
import io.vetch.api.etcdserverpb.DeleteRangeRequest;
import io.vetch.api.etcdserverpb.KVGrpcClient;
import io.vetch.api.etcdserverpb.LeaseGrantRequest;
import io.vetch.api.etcdserverpb.LeaseGrpcClient;
import io.vetch.api.etcdserverpb.LeaseRevokeRequest;
import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.api.etcdserverpb.RangeRequest;
import io.vetch.api.etcdserverpb.RequestOp;
import io.vetch.api.etcdserverpb.TxnRequest;
import io.vetch.api.etcdserverpb.WatchCreateRequest;
import io.vetch.api.etcdserverpb.WatchGrpcClient;
import io.vetch.api.etcdserverpb.WatchRequest;
import io.vetch.api.etcdserverpb.WatchResponse;
import io.vetch.testing.TestMember;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The permission matrix: every user (roles over a prefix with each permission type, a from-key grant, no role,
 * root) tries every operation (reads, puts with and without prev_kv or a lease whose keys lie elsewhere, deletes,
 * txns with compares and nested txns, read-only txns, watches on keys and from-key, lease revokes, admin calls) over
 * keys inside and outside the grants, through gRPC with the user's token. The expected outcome comes from a model of
 * the grants (a request needs every range it reads or writes covered); every forbidden case must be refused and
 * every allowed one must work.
 */
@ExtendWith(VertxExtension.class)
class PermissionMatrixTest {
  @TempDir Path dir;

  private static final byte[] END = {0};
  private GrpcClient grpc;
  private SocketAddress addr;

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private <Req, Resp> Future<Resp> call(ServiceMethod<Resp, Req> m, Req msg, String token) {
    return grpc.request(addr, m).compose(req -> {
      if (token != null) {
        req.headers().set("token", token);
      }
      return req.end(msg).compose(v -> req.response().compose(resp -> resp.last()));
    });
  }

  /** A read or write of [key, end) (end empty: the key alone; "\0": to the end). */
  private record Need(boolean write, String key, byte[] end) {}

  /** One operation: what it needs, and how to run it as a token's user (true when the server allowed it). */
  private record Op(String name, List<Need> needs, Runner run) {}

  @FunctionalInterface
  private interface Runner {
    boolean run(String token) throws Exception;
  }

  /** A user's grants as the model sees them: which ranges it may read and write. */
  private record Grants(List<Permission> perms, boolean root) {
    boolean allows(Need n) {
      if (root) {
        return true;
      }
      for (Permission p : perms) {
        boolean kind = p.getPermType() == Permission.Type.READWRITE
            || (n.write() ? p.getPermType() == Permission.Type.WRITE : p.getPermType() == Permission.Type.READ);
        if (kind && covers(p, n)) {
          return true;
        }
      }
      return false;
    }

    private static boolean covers(Permission p, Need n) {
      byte[] pk = p.getKey().toByteArray();
      byte[] pe = p.getRangeEnd().toByteArray();
      byte[] nk = bytes(n.key());
      boolean pInf = Arrays.equals(pe, END);
      byte[] pHi = pe.length == 0 ? Arrays.copyOf(pk, pk.length + 1) : pe;
      boolean nInf = Arrays.equals(n.end(), END);
      byte[] nHi = n.end().length == 0 ? Arrays.copyOf(nk, nk.length + 1) : n.end();
      return Arrays.compareUnsigned(pk, nk) <= 0 && (pInf || (!nInf && Arrays.compareUnsigned(nHi, pHi) <= 0));
    }
  }

  private static Permission perm(Permission.Type t, String key, byte[] end) {
    return Permission.newBuilder().setPermType(t).setKey(b(key)).setRangeEnd(ByteString.copyFrom(end)).build();
  }

  @Test
  void everyForbiddenCaseIsDeniedAndEveryAllowedOneWorks(Vertx vertx) throws Exception {
    try (TestMember m = TestMember.start(vertx, dir, b -> b.bcryptCost(4))) {
      grpc = GrpcClient.client(vertx);
      addr = SocketAddress.inetSocketAddress(m.clientPort(), "127.0.0.1");
      KVGrpcClient kv = KVGrpcClient.create(grpc, addr);
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (true) {
        try {
          await(kv.put(PutRequest.newBuilder().setKey(b("/a/k")).setValue(b("v")).build()));
          break;
        } catch (Exception e) {
          if (System.nanoTime() > until) {
            throw e;
          }
          Thread.sleep(50);
        }
      }
      for (String k : List.of("/b/k", "/m/k", "/z")) {
        await(kv.put(PutRequest.newBuilder().setKey(b(k)).setValue(b("v")).build()));
      }
      Map<String, Grants> users = new LinkedHashMap<>();
      byte[] aEnd = bytes("/a0");
      users.put("rw", new Grants(List.of(perm(Permission.Type.READWRITE, "/a/", aEnd)), false));
      users.put("r", new Grants(List.of(perm(Permission.Type.READ, "/a/", aEnd)), false));
      users.put("w", new Grants(List.of(perm(Permission.Type.WRITE, "/a/", aEnd)), false));
      users.put("fk", new Grants(List.of(perm(Permission.Type.READ, "/m", END)), false));
      users.put("none", new Grants(List.of(), false));
      users.put("root", new Grants(List.of(), true));
      AuthGrpcClient auth = AuthGrpcClient.create(grpc, addr);
      for (var e : users.entrySet()) {
        String u = e.getKey();
        await(auth.userAdd(AuthUserAddRequest.newBuilder().setName(u).setPassword(u + "pw").build()));
        String role = u.equals("root") ? "root" : "role-" + u;
        await(auth.roleAdd(AuthRoleAddRequest.newBuilder().setName(role).build()));
        for (Permission p : e.getValue().perms()) {
          await(auth.roleGrantPermission(AuthRoleGrantPermissionRequest.newBuilder().setName(role).setPerm(p).build()));
        }
        await(auth.userGrantRole(AuthUserGrantRoleRequest.newBuilder().setUser(u).setRole(role).build()));
      }
      await(auth.authEnable(AuthEnableRequest.getDefaultInstance()));
      Map<String, String> tokens = new LinkedHashMap<>();
      for (String u : users.keySet()) {
        tokens.put(u, await(auth.authenticate(AuthenticateRequest.newBuilder().setName(u).setPassword(u + "pw")
            .build())).getToken());
      }
      String rootToken = tokens.get("root");

      List<Op> ops = new ArrayList<>();
      ops.add(op("get /a/k", List.of(new Need(false, "/a/k", new byte[0])),
          t -> ok(call(KVGrpcClient.Range, RangeRequest.newBuilder().setKey(b("/a/k")).build(), t))));
      ops.add(op("get /b/k", List.of(new Need(false, "/b/k", new byte[0])),
          t -> ok(call(KVGrpcClient.Range, RangeRequest.newBuilder().setKey(b("/b/k")).build(), t))));
      ops.add(op("get --prefix /a/", List.of(new Need(false, "/a/", aEnd)),
          t -> ok(call(KVGrpcClient.Range, RangeRequest.newBuilder().setKey(b("/a/")).setRangeEnd(b("/a0")).build(), t))));
      ops.add(op("get --from-key /m", List.of(new Need(false, "/m", END)), t -> ok(call(KVGrpcClient.Range,
          RangeRequest.newBuilder().setKey(b("/m")).setRangeEnd(ByteString.copyFrom(END)).build(), t))));
      ops.add(op("get --from-key /a/", List.of(new Need(false, "/a/", END)), t -> ok(call(KVGrpcClient.Range,
          RangeRequest.newBuilder().setKey(b("/a/")).setRangeEnd(ByteString.copyFrom(END)).build(), t))));
      ops.add(op("put /a/k", List.of(new Need(true, "/a/k", new byte[0])),
          t -> ok(call(KVGrpcClient.Put, PutRequest.newBuilder().setKey(b("/a/k")).setValue(b("x")).build(), t))));
      ops.add(op("put /a/k --prev-kv", List.of(new Need(true, "/a/k", new byte[0]), new Need(false, "/a/k", new byte[0])),
          t -> ok(call(KVGrpcClient.Put, PutRequest.newBuilder().setKey(b("/a/k")).setValue(b("x")).setPrevKv(true)
              .build(), t))));
      ops.add(op("put /b/k", List.of(new Need(true, "/b/k", new byte[0])),
          t -> ok(call(KVGrpcClient.Put, PutRequest.newBuilder().setKey(b("/b/k")).setValue(b("x")).build(), t))));
      ops.add(op("del --prefix /a/x", List.of(new Need(true, "/a/x", bytes("/a/y"))), t -> ok(call(
          KVGrpcClient.DeleteRange, DeleteRangeRequest.newBuilder().setKey(b("/a/x")).setRangeEnd(b("/a/y")).build(), t))));
      ops.add(op("del /a/k --prev-kv", List.of(new Need(true, "/a/k", new byte[0]), new Need(false, "/a/k", new byte[0])),
          t -> {
            boolean r = ok(call(KVGrpcClient.DeleteRange, DeleteRangeRequest.newBuilder().setKey(b("/a/k"))
                .setPrevKv(true).build(), t));
            await(call(KVGrpcClient.Put, PutRequest.newBuilder().setKey(b("/a/k")).setValue(b("v")).build(),
                rootToken)); // put back for the next user
            return r;
          }));
      ops.add(op("txn if /a/k then put /a/k", List.of(new Need(false, "/a/k", new byte[0]),
          new Need(true, "/a/k", new byte[0])), t -> ok(call(KVGrpcClient.Txn, TxnRequest.newBuilder()
              .addCompare(Compare.newBuilder().setKey(b("/a/k")).setTarget(Compare.CompareTarget.VERSION)
                  .setResult(Compare.CompareResult.GREATER).setVersion(0))
              .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(b("/a/k")).setValue(b("t"))))
              .build(), t))));
      ops.add(op("txn then [txn then put /b/k]", List.of(new Need(true, "/b/k", new byte[0])),
          t -> ok(call(KVGrpcClient.Txn, TxnRequest.newBuilder().addSuccess(RequestOp.newBuilder().setRequestTxn(
              TxnRequest.newBuilder().addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder()
                  .setKey(b("/b/k")).setValue(b("n")))))).build(), t))));
      ops.add(op("txn (read-only) get /a/k else get /z", List.of(new Need(false, "/a/k", new byte[0]),
          new Need(false, "/z", new byte[0])), t -> ok(call(KVGrpcClient.Txn, TxnRequest.newBuilder()
              .addSuccess(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(b("/a/k"))))
              .addFailure(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(b("/z"))))
              .build(), t))));
      ops.add(op("watch /a/k", List.of(new Need(false, "/a/k", new byte[0])), t -> watch(t, "/a/k", new byte[0])));
      ops.add(op("watch --from-key /m", List.of(new Need(false, "/m", END)), t -> watch(t, "/m", END)));
      ops.add(op("watch /b/k", List.of(new Need(false, "/b/k", new byte[0])), t -> watch(t, "/b/k", new byte[0])));
      ops.add(op("put /a/k --lease (lease holds /b/l)", List.of(new Need(true, "/a/k", new byte[0]),
          new Need(true, "/b/l", new byte[0])), t -> {
            long lease = await(call(LeaseGrpcClient.LeaseGrant, LeaseGrantRequest.newBuilder().setTTL(60).build(),
                rootToken)).getID();
            await(call(KVGrpcClient.Put, PutRequest.newBuilder().setKey(b("/b/l")).setValue(b("l")).setLease(lease)
                .build(), rootToken));
            return ok(call(KVGrpcClient.Put, PutRequest.newBuilder().setKey(b("/a/k")).setValue(b("x"))
                .setLease(lease).build(), t));
          }));
      ops.add(op("lease revoke (lease holds /a/l)", List.of(new Need(true, "/a/l", new byte[0])), t -> {
        long lease = await(call(LeaseGrpcClient.LeaseGrant, LeaseGrantRequest.newBuilder().setTTL(60).build(),
            rootToken)).getID();
        await(call(KVGrpcClient.Put, PutRequest.newBuilder().setKey(b("/a/l")).setValue(b("l")).setLease(lease)
            .build(), rootToken));
        return ok(call(LeaseGrpcClient.LeaseRevoke, LeaseRevokeRequest.newBuilder().setID(lease).build(), t));
      }));
      // Admin calls: modelled as writing everything from "admin" on, which only root may.
      ops.add(op("user list (admin)", List.of(new Need(true, "admin", END)),
          t -> ok(call(AuthGrpcClient.UserList, AuthUserListRequest.getDefaultInstance(), t))));

      int cases = 0;
      List<String> wrong = new ArrayList<>();
      for (Op op : ops) {
        for (var u : users.entrySet()) {
          boolean expected = op.needs().stream().allMatch(u.getValue()::allows);
          boolean actual = op.run().run(tokens.get(u.getKey()));
          cases++;
          if (expected != actual) {
            wrong.add(op.name() + " as " + u.getKey() + ": expected " + (expected ? "allowed" : "denied"));
          }
        }
      }
      // A request without a token is refused ("user name is empty"); compaction needs no permission, as on etcd.
      assertEquals(false, ok(call(KVGrpcClient.Range, RangeRequest.newBuilder().setKey(b("/a/k")).build(), null)));
      assertEquals(true, ok(call(KVGrpcClient.Compact, CompactionRequest.newBuilder().setRevision(2).build(),
          tokens.get("none"))));
      assertEquals(List.of(), wrong, "wrong outcomes among " + cases + " cases");
      assertEquals(ops.size() * users.size(), cases);
      await(grpc.close());
    }
  }

  private static Op op(String name, List<Need> needs, Runner run) {
    return new Op(name, needs, run);
  }

  /** Whether the call succeeded; a refusal must be etcd's permission or empty-user error, nothing else. */
  private static boolean ok(Future<?> f) throws Exception {
    try {
      await(f);
      return true;
    } catch (java.util.concurrent.ExecutionException e) {
      String msg = String.valueOf(e.getCause().getMessage());
      if (!msg.contains("PERMISSION_DENIED") && !msg.contains("INVALID_ARGUMENT")) {
        throw e;
      }
      return false;
    }
  }

  /** Creates a watcher on a fresh stream; true when it was created, false when canceled for permission. */
  private boolean watch(String token, String key, byte[] end) throws Exception {
    Promise<WatchResponse> first = Promise.promise();
    grpc.request(addr, WatchGrpcClient.Watch).onSuccess(req -> {
      req.headers().set("token", token);
      req.response().onSuccess(resp -> resp.handler(first::tryComplete));
      req.write(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder().setKey(b(key))
          .setRangeEnd(ByteString.copyFrom(end))).build());
    }).onFailure(first::tryFail);
    WatchResponse r = await(first.future());
    if (r.getCanceled()) {
      assertEquals("rpc error: code = PermissionDenied desc = etcdserver: permission denied", r.getCancelReason());
      return false;
    }
    return r.getCreated();
  }
}
