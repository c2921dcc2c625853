package io.vetch.server.grpc;

import io.vetch.api.etcdserverpb.*;
import io.vetch.server.base.EtcdErrors;
import io.vetch.server.auth.AuthInfo;
import io.vetch.server.auth.Passwords;
import io.vetch.server.auth.SimpleTokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Base64;

/**
 * etcd's Auth service. Every request goes through Raft, so all members agree on users, roles and tokens; the admin
 * checks happen when it is applied. Passwords are bcrypt-hashed (and checked) on worker threads by the member that
 * takes the request, so neither the event loops nor the Raft log see bcrypt work or a clear password.
 */
public final class AuthServer extends AuthService {
  private final CallAuth auth;
  private final Proposer proposer;
  private final int bcryptCost;

  /** bcryptCost: --bcrypt-cost, for the passwords hashed here. */
  AuthServer(CallAuth auth, Proposer proposer, int bcryptCost) {
    this.auth = auth;
    this.proposer = proposer;
    this.bcryptCost = bcryptCost;
  }

  private <T> Future<T> blocking(java.util.concurrent.Callable<T> work) {
    return Vertx.currentContext().owner().executeBlocking(work, false);
  }

  @Override
  public Future<AuthenticateResponse> authenticate(AuthenticateRequest r) {
    if (!auth.store().enabled()) {
      return Future.failedFuture(EtcdErrors.authNotEnabled());
    }
    var user = auth.store().user(r.getName());
    if (user == null) {
      return Future.failedFuture(EtcdErrors.authFailed());
    }
    if (user.getOptions().getNoPassword()) { // etcd's ErrNoPasswordUser, which it leaves unmapped (Unknown)
      return Future.failedFuture(new io.vertx.grpc.server.StatusException(io.vertx.grpc.common.GrpcStatus.UNKNOWN,
          "auth: authentication failed, password was given for no password user"));
    }
    byte[] hash = user.getPassword().toByteArray();
    // The Raft log carries only the token's digest; the clear token goes back to this client alone.
    String token = auth.tokens().simple() ? SimpleTokens.generate() : null;
    var entry = InternalAuthenticateRequest.newBuilder().setName(r.getName());
    if (token != null) {
      entry.setSimpleToken(SimpleTokens.digest(token));
    }
    return blocking(() -> Passwords.matches(r.getPassword(), hash)).compose(ok -> ok
        ? proposer.<AuthenticateResponse>propose(InternalRaftRequest.newBuilder().setAuthenticate(entry), AuthInfo.NONE)
            .map(resp -> resp.toBuilder().setToken(auth.tokens().issue(r.getName(), auth.store().revision(), token))
                .build())
        : Future.failedFuture(EtcdErrors.authFailed()));
  }

  @Override
  public Future<AuthUserAddResponse> userAdd(AuthUserAddRequest r) {
    if (r.getOptions().getNoPassword()) {
      return proposer.propose(InternalRaftRequest.newBuilder().setAuthUserAdd(r.toBuilder().clearPassword()));
    }
    return withHash(r.getPassword(), hashed -> InternalRaftRequest.newBuilder()
        .setAuthUserAdd(r.toBuilder().clearPassword().setHashedPassword(hashed)));
  }

  @Override
  public Future<AuthUserChangePasswordResponse> userChangePassword(AuthUserChangePasswordRequest r) {
    return withHash(r.getPassword(), hashed -> InternalRaftRequest.newBuilder()
        .setAuthUserChangePassword(r.toBuilder().clearPassword().setHashedPassword(hashed)));
  }

  /**
   * Hashes password on a worker thread and proposes the request built around its (base64) hash, for the caller's
   * user as checked now: the clear password goes no further than this member.
   */
  private <T extends com.google.protobuf.Message> Future<T> withHash(String password,
      java.util.function.Function<String, InternalRaftRequest.Builder> request) {
    AuthInfo who;
    try {
      who = auth.authInfo();
    } catch (io.vertx.grpc.server.StatusException e) {
      return Future.failedFuture(e);
    }
    return blocking(() -> Base64.getEncoder().encodeToString(Passwords.hash(password, bcryptCost)))
        .compose(hashed -> proposer.<T>propose(request.apply(hashed), who));
  }

  @Override
  public Future<AuthEnableResponse> authEnable(AuthEnableRequest r) {
    return proposer.propose(InternalRaftRequest.newBuilder().setAuthEnable(r));
  }

  @Override
  public Future<AuthDisableResponse> authDisable(AuthDisableRequest r) {
    return proposer.propose(InternalRaftRequest.newBuilder().setAuthDisable(r));
  }

  @Override
  public Future<AuthStatusResponse> authStatus(AuthStatusRequest r) {
    return proposer.propose(InternalRaftRequest.newBuilder().setAuthStatus(r));
  }

  @Override
  public Future<AuthUserGetResponse> userGet(AuthUserGetRequest r) {
    return proposer.propose(InternalRaftRequest.newBuilder().setAuthUserGet(r));
  }

  @Override
  public Future<AuthUserListResponse> userList(AuthUserListRequest r) {
    return proposer.propose(InternalRaftRequest.newBuilder().setAuthUserList(r));
  }

  @Override
  public Future<AuthUserDeleteResponse> userDelete(AuthUserDeleteRequest r) {
    return proposer.propose(InternalRaftRequest.newBuilder().setAuthUserDelete(r));
  }

  @Override
  public Future<AuthUserGrantRoleResponse> userGrantRole(AuthUserGrantRoleRequest r) {
    return proposer.propose(InternalRaftRequest.newBuilder().setAuthUserGrantRole(r));
  }

  @Override
  public Future<AuthUserRevokeRoleResponse> userRevokeRole(AuthUserRevokeRoleRequest r) {
    return proposer.propose(InternalRaftRequest.newBuilder().setAuthUserRevokeRole(r));
  }

  @Override
  public Future<AuthRoleAddResponse> roleAdd(AuthRoleAddRequest r) {
    return proposer.propose(InternalRaftRequest.newBuilder().setAuthRoleAdd(r));
  }

  @Override
  public Future<AuthRoleGetResponse> roleGet(AuthRoleGetRequest r) {
    return proposer.propose(InternalRaftRequest.newBuilder().setAuthRoleGet(r));
  }

  @Override
  public Future<AuthRoleListResponse> roleList(AuthRoleListRequest r) {
    return proposer.propose(InternalRaftRequest.newBuilder().setAuthRoleList(r));
  }

  @Override
  public Future<AuthRoleDeleteResponse> roleDelete(AuthRoleDeleteRequest r) {
    return proposer.propose(InternalRaftRequest.newBuilder().setAuthRoleDelete(r));
  }

  @Override
  public Future<AuthRoleGrantPermissionResponse> roleGrantPermission(AuthRoleGrantPermissionRequest r) {
    return proposer.propose(InternalRaftRequest.newBuilder().setAuthRoleGrantPermission(r));
  }

  @Override
  public Future<AuthRoleRevokePermissionResponse> roleRevokePermission(AuthRoleRevokePermissionRequest r) {
    return proposer.propose(InternalRaftRequest.newBuilder().setAuthRoleRevokePermission(r));
  }
}
