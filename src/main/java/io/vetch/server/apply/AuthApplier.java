package io.vetch.server.apply;

import io.vetch.server.lease.Leases;
import com.google.protobuf.Message;
import io.vetch.api.etcdserverpb.AuthDisableResponse;
import io.vetch.api.etcdserverpb.AuthEnableResponse;
import io.vetch.api.etcdserverpb.AuthRoleAddResponse;
import io.vetch.api.etcdserverpb.AuthRoleDeleteResponse;
import io.vetch.api.etcdserverpb.AuthRoleGetResponse;
import io.vetch.api.etcdserverpb.AuthRoleGrantPermissionResponse;
import io.vetch.api.etcdserverpb.AuthRoleListResponse;
import io.vetch.api.etcdserverpb.AuthRoleRevokePermissionResponse;
import io.vetch.api.etcdserverpb.AuthStatusResponse;
import io.vetch.api.etcdserverpb.AuthUserAddResponse;
import io.vetch.api.etcdserverpb.AuthUserChangePasswordResponse;
import io.vetch.api.etcdserverpb.AuthUserDeleteResponse;
import io.vetch.api.etcdserverpb.AuthUserGetResponse;
import io.vetch.api.etcdserverpb.AuthUserGrantRoleResponse;
import io.vetch.api.etcdserverpb.AuthUserListResponse;
import io.vetch.api.etcdserverpb.AuthUserRevokeRoleResponse;
import io.vetch.api.etcdserverpb.AuthenticateResponse;
import io.vetch.api.etcdserverpb.DeleteRangeRequest;
import io.vetch.api.etcdserverpb.InternalRaftRequest;
import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.api.etcdserverpb.RequestOp;
import io.vetch.api.etcdserverpb.TxnRequest;
import io.vetch.server.base.EtcdErrors;
import io.vetch.server.auth.AuthInfo;
import io.vetch.server.auth.AuthStore;
import io.vetch.server.auth.TokenProvider;
import io.vertx.grpc.server.StatusException;
import java.util.Base64;
import java.util.List;

/**
 * The auth part of applying (etcd's authApplierV3): auth management requests change the {@link AuthStore}, and every
 * KV and lease request is checked against the permissions of the user in its header, at the auth revision the
 * member that took it saw. A request checked before a permission changed is refused ("revision of auth store is
 * old") rather than applied with rights the user no longer has. Storage worker only.
 */
public final class AuthApplier {
  private final AuthStore auth;
  private final TokenProvider tokens;
  private final Leases leases;

  AuthApplier(AuthStore auth, TokenProvider tokens, Leases leases) {
    this.auth = auth;
    this.tokens = tokens;
    this.leases = leases;
  }

  static boolean isAuth(InternalRaftRequest r) {
    return r.hasAuthEnable() || r.hasAuthDisable() || r.hasAuthStatus() || r.hasAuthenticate() || r.hasAuthUserAdd()
        || r.hasAuthUserDelete() || r.hasAuthUserGet() || r.hasAuthUserChangePassword() || r.hasAuthUserGrantRole()
        || r.hasAuthUserRevokeRole() || r.hasAuthUserList() || r.hasAuthRoleList() || r.hasAuthRoleAdd()
        || r.hasAuthRoleDelete() || r.hasAuthRoleGet() || r.hasAuthRoleGrantPermission()
        || r.hasAuthRoleRevokePermission();
  }

  /**
   * The password hash an entry carries: base64 of the bcrypt hash as AuthServer proposes it; anything else (an entry
   * vetch did not write, such as etcd's own form, the bcrypt string itself) as its UTF-8 bytes, which never match a
   * password that is not their bcrypt hash.
   */
  private static byte[] hash(String hashed) {
    try {
      return Base64.getDecoder().decode(hashed);
    } catch (IllegalArgumentException e) {
      return hashed.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private static AuthInfo who(InternalRaftRequest r) {
    return new AuthInfo(r.getHeader().getUsername(), r.getHeader().getAuthRevision());
  }

  /** Applies an auth management request; returns its response builder (header set by the caller). */
  Message.Builder apply(InternalRaftRequest r) throws StatusException {
    AuthInfo who = who(r);
    if (r.hasAuthenticate()) {
      var a = r.getAuthenticate();
      if (!auth.enabled()) {
        throw EtcdErrors.authNotEnabled();
      }
      var u = auth.user(a.getName());
      if (u == null || u.getOptions().getNoPassword()) {
        throw EtcdErrors.authFailed();
      }
      if (tokens.simple()) {
        tokens.assign(a.getSimpleToken(), a.getName());
      }
      return AuthenticateResponse.newBuilder(); // the member that took the request fills in the clear token
    }
    if (r.hasAuthUserGet()) {
      String name = r.getAuthUserGet().getName();
      if (!name.equals(who.user())) {
        auth.checkAdmin(who); // anyone may read their own user
      }
      return AuthUserGetResponse.newBuilder().addAllRoles(auth.userGet(name));
    }
    if (r.hasAuthRoleGet()) {
      String role = r.getAuthRoleGet().getRole();
      if (!auth.hasRole(who.user(), role)) {
        auth.checkAdmin(who); // anyone may read their own roles
      }
      return AuthRoleGetResponse.newBuilder().addAllPerm(auth.roleGet(role));
    }
    auth.checkAdmin(who);
    if (r.hasAuthEnable()) {
      auth.enable();
      return AuthEnableResponse.newBuilder();
    }
    if (r.hasAuthDisable()) {
      auth.disable();
      return AuthDisableResponse.newBuilder();
    }
    if (r.hasAuthStatus()) {
      return AuthStatusResponse.newBuilder().setEnabled(auth.enabled()).setAuthRevision(auth.revision());
    }
    if (r.hasAuthUserAdd()) {
      var a = r.getAuthUserAdd();
      boolean noPassword = a.getOptions().getNoPassword();
      auth.userAdd(a.getName(), noPassword ? null : hash(a.getHashedPassword()), noPassword);
      return AuthUserAddResponse.newBuilder();
    }
    if (r.hasAuthUserDelete()) {
      auth.userDelete(r.getAuthUserDelete().getName());
      tokens.invalidate(r.getAuthUserDelete().getName());
      return AuthUserDeleteResponse.newBuilder();
    }
    if (r.hasAuthUserChangePassword()) {
      var c = r.getAuthUserChangePassword();
      auth.userChangePassword(c.getName(), hash(c.getHashedPassword()));
      tokens.invalidate(c.getName());
      return AuthUserChangePasswordResponse.newBuilder();
    }
    if (r.hasAuthUserGrantRole()) {
      auth.userGrantRole(r.getAuthUserGrantRole().getUser(), r.getAuthUserGrantRole().getRole());
      return AuthUserGrantRoleResponse.newBuilder();
    }
    if (r.hasAuthUserRevokeRole()) {
      auth.userRevokeRole(r.getAuthUserRevokeRole().getName(), r.getAuthUserRevokeRole().getRole());
      return AuthUserRevokeRoleResponse.newBuilder();
    }
    if (r.hasAuthUserList()) {
      return AuthUserListResponse.newBuilder().addAllUsers(auth.userList());
    }
    if (r.hasAuthRoleList()) {
      return AuthRoleListResponse.newBuilder().addAllRoles(auth.roleList());
    }
    if (r.hasAuthRoleAdd()) {
      auth.roleAdd(r.getAuthRoleAdd().getName());
      return AuthRoleAddResponse.newBuilder();
    }
    if (r.hasAuthRoleDelete()) {
      auth.roleDelete(r.getAuthRoleDelete().getRole());
      return AuthRoleDeleteResponse.newBuilder();
    }
    if (r.hasAuthRoleGrantPermission()) {
      if (!r.getAuthRoleGrantPermission().hasPerm()) {
        throw EtcdErrors.invalidArgument("etcdserver: permission not given");
      }
      auth.roleGrantPermission(r.getAuthRoleGrantPermission().getName(), r.getAuthRoleGrantPermission().getPerm());
      return AuthRoleGrantPermissionResponse.newBuilder();
    }
    var rr = r.getAuthRoleRevokePermission();
    auth.roleRevokePermission(rr.getRole(), rr.getKey().toByteArray(), rr.getRangeEnd().toByteArray());
    return AuthRoleRevokePermissionResponse.newBuilder();
  }

  /**
   * Checks a KV, lease or alarm request's permissions at apply time. Compaction needs no permission, as on etcd.
   */
  void check(InternalRaftRequest r) throws StatusException {
    if (!auth.enabled()) {
      return;
    }
    AuthInfo who = who(r);
    if (r.hasPut()) {
      checkPut(who, r.getPut());
    } else if (r.hasDeleteRange()) {
      checkDelete(who, r.getDeleteRange());
    } else if (r.hasTxn()) {
      checkTxn(who, r.getTxn());
    } else if (r.hasLeaseRevoke()) {
      checkLeaseKeys(who, r.getLeaseRevoke().getID());
    } else if (r.hasAlarm() && r.getAlarm().getAction() != io.vetch.api.etcdserverpb.AlarmRequest.AlarmAction.GET
        && !r.getHeader().getUsername().isEmpty()) {
      auth.checkAdmin(who); // client alarms; the server's own NOSPACE/CORRUPT proposals carry no user
    }
  }

  private void checkPut(AuthInfo who, PutRequest p) throws StatusException {
    auth.checkWrite(who, p.getKey().toByteArray(), new byte[0]);
    if (p.getPrevKv()) {
      auth.checkRead(who, p.getKey().toByteArray(), new byte[0]);
    }
    if (p.getLease() != 0) {
      checkLeaseKeys(who, p.getLease());
    }
  }

  private void checkDelete(AuthInfo who, DeleteRangeRequest d) throws StatusException {
    auth.checkWrite(who, d.getKey().toByteArray(), d.getRangeEnd().toByteArray());
    if (d.getPrevKv()) {
      auth.checkRead(who, d.getKey().toByteArray(), d.getRangeEnd().toByteArray());
    }
  }

  /** etcd's checkTxnReqsPermission: compares read, and both branches' ops, nested txns included. */
  void checkTxn(AuthInfo who, TxnRequest t) throws StatusException {
    for (var c : t.getCompareList()) {
      auth.checkRead(who, c.getKey().toByteArray(), c.getRangeEnd().toByteArray());
    }
    checkOps(who, t.getSuccessList());
    checkOps(who, t.getFailureList());
  }

  private void checkOps(AuthInfo who, List<RequestOp> ops) throws StatusException {
    for (RequestOp op : ops) {
      switch (op.getRequestCase()) {
        case REQUEST_RANGE -> auth.checkRead(who, op.getRequestRange().getKey().toByteArray(),
            op.getRequestRange().getRangeEnd().toByteArray());
        case REQUEST_PUT -> checkPut(who, op.getRequestPut());
        case REQUEST_DELETE_RANGE -> checkDelete(who, op.getRequestDeleteRange());
        case REQUEST_TXN -> checkTxn(who, op.getRequestTxn());
        default -> { }
      }
    }
  }

  /** The read permissions of a read-only txn (compares and ranges, nested txns included), checked before it runs. */
  public static void checkReads(AuthStore auth, AuthInfo who, TxnRequest t) throws StatusException {
    for (var c : t.getCompareList()) {
      auth.checkRead(who, c.getKey().toByteArray(), c.getRangeEnd().toByteArray());
    }
    for (List<RequestOp> ops : List.of(t.getSuccessList(), t.getFailureList())) {
      for (RequestOp op : ops) {
        if (op.hasRequestRange()) {
          auth.checkRead(who, op.getRequestRange().getKey().toByteArray(),
              op.getRequestRange().getRangeEnd().toByteArray());
        } else if (op.hasRequestTxn()) {
          checkReads(auth, who, op.getRequestTxn());
        }
      }
    }
  }

  /** etcd's checkLeasePuts: writing every key attached to the lease. */
  private void checkLeaseKeys(AuthInfo who, long lease) throws StatusException {
    for (byte[] key : leases.keys(lease)) {
      auth.checkWrite(who, key, new byte[0]);
    }
  }
}
