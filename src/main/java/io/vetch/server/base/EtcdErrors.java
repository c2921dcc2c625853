package io.vetch.server.base;

import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;

/**
 * etcd's client-visible errors (etcd's api/v3rpc/rpctypes): the gRPC status and the exact message text,
 * which clients match on. Every failure a client can see is one of these.
 */
public final class EtcdErrors {
  private EtcdErrors() {}

  public static StatusException emptyKey() { return invalid("etcdserver: key is not provided"); }
  public static StatusException keyNotFound() { return invalid("etcdserver: key not found"); }
  public static StatusException valueProvided() { return invalid("etcdserver: value is provided"); }
  public static StatusException leaseProvided() { return invalid("etcdserver: lease is provided"); }
  public static StatusException tooManyOps() { return invalid("etcdserver: too many operations in txn request"); }
  public static StatusException duplicateKey() { return invalid("etcdserver: duplicate key given in txn request"); }
  public static StatusException requestTooLarge() { return invalid("etcdserver: request is too large"); }
  public static StatusException compacted() {
    return new StatusException(GrpcStatus.OUT_OF_RANGE, "etcdserver: mvcc: required revision has been compacted");
  }
  public static StatusException futureRev() {
    return new StatusException(GrpcStatus.OUT_OF_RANGE, "etcdserver: mvcc: required revision is a future revision");
  }
  public static StatusException leaseNotFound() {
    return new StatusException(GrpcStatus.NOT_FOUND, "etcdserver: requested lease not found");
  }
  public static StatusException leaseExists() {
    return new StatusException(GrpcStatus.FAILED_PRECONDITION, "etcdserver: lease already exists");
  }
  public static StatusException leaseTtlTooLarge() {
    return new StatusException(GrpcStatus.OUT_OF_RANGE, "etcdserver: too large lease TTL");
  }
  public static StatusException noSpace() {
    return new StatusException(GrpcStatus.RESOURCE_EXHAUSTED, "etcdserver: mvcc: database space exceeded");
  }
  /** What a client would read as the error: a StatusException's description, else the exception's message. */
  public static String describe(Throwable t) {
    return t instanceof StatusException se && se.message() != null ? se.message() : String.valueOf(t.getMessage());
  }

  public static StatusException corrupt() {
    return new StatusException(GrpcStatus.DATA_LOSS, "etcdserver: corrupt cluster");
  }
  public static StatusException tooManyRequests() {
    return new StatusException(GrpcStatus.RESOURCE_EXHAUSTED, "etcdserver: too many requests");
  }
  public static StatusException leaderChanged() { return unavailable("etcdserver: leader changed"); }
  public static StatusException notLeader() {
    return new StatusException(GrpcStatus.FAILED_PRECONDITION, "etcdserver: not leader");
  }
  public static StatusException badLeaderTransferee() {
    return new StatusException(GrpcStatus.FAILED_PRECONDITION, "etcdserver: bad leader transferee");
  }
  public static StatusException leaderTransferTimeout() {
    return unavailable("etcdserver: request timed out, leader transfer took too long");
  }
  public static StatusException noLeader() { return unavailable("etcdserver: no leader"); }
  public static StatusException timeout() { return unavailable("etcdserver: request timed out"); }
  public static StatusException stopped() { return unavailable("etcdserver: server stopped"); }

  /** An unexpected server-side failure: logged by the caller, reported without internals. */
  public static StatusException memberExist() { return failedPrecondition("etcdserver: member ID already exist"); }
  public static StatusException peerUrlExist() { return failedPrecondition("etcdserver: Peer URLs already exists"); }
  public static StatusException memberNotEnoughStarted() {
    return failedPrecondition("etcdserver: re-configuration failed due to not enough started members");
  }
  public static StatusException memberBadUrls() { return invalid("etcdserver: given member URLs are invalid"); }
  public static StatusException memberNotFound() {
    return new StatusException(GrpcStatus.NOT_FOUND, "etcdserver: member not found");
  }
  public static StatusException memberNotLearner() {
    return failedPrecondition("etcdserver: can only promote a learner member");
  }
  public static StatusException learnerNotReady() {
    return failedPrecondition("etcdserver: can only promote a learner member which is in sync with leader");
  }
  public static StatusException tooManyLearners() {
    return failedPrecondition("etcdserver: too many learner members in cluster");
  }
  public static StatusException internal(String what) { return new StatusException(GrpcStatus.INTERNAL, what); }

  public static StatusException permissionDenied() {
    return new StatusException(GrpcStatus.PERMISSION_DENIED, "etcdserver: permission denied");
  }
  public static StatusException invalidAuthToken() {
    return new StatusException(GrpcStatus.UNAUTHENTICATED, "etcdserver: invalid auth token");
  }
  public static StatusException authFailed() { return invalid("etcdserver: authentication failed, invalid user ID or password"); }
  public static StatusException authNotEnabled() { return failedPrecondition("etcdserver: authentication is not enabled"); }
  public static StatusException invalidArgument(String msg) { return invalid(msg); }

  // The concurrency recipes' errors: plain Go errors in etcd, so gRPC code Unknown with their text.
  public static StatusException electionNotLeader() { return unknown("election: not leader"); }
  public static StatusException electionNoLeader() { return unknown("election: no leader"); }
  public static StatusException sessionExpired() { return unknown("session: session is expired"); }
  public static StatusException missingLeaderKey() { return unknown("\"leader\" field must be provided"); }
  /** etcd's downgrade errors (rpctypes ErrGRPCWrongDowngradeVersionFormat and the rest). */
  public static StatusException wrongDowngradeVersionFormat() {
    return invalid("etcdserver: wrong downgrade target version format");
  }

  public static StatusException invalidDowngradeTargetVersion() {
    return invalid("etcdserver: invalid downgrade target version");
  }

  public static StatusException downgradeInProcess() {
    return failedPrecondition("etcdserver: cluster has a downgrade job in progress");
  }

  public static StatusException noInflightDowngrade() {
    return failedPrecondition("etcdserver: no inflight downgrade job");
  }

  public static StatusException unknownMethod() { return unknown("etcdserver: unknown method"); }

  public static StatusException canceled() { return new StatusException(GrpcStatus.CANCELLED, "context canceled"); }
  private static StatusException unknown(String msg) { return new StatusException(GrpcStatus.UNKNOWN, msg); }

  public static StatusException failedPrecondition(String msg) {
    return new StatusException(GrpcStatus.FAILED_PRECONDITION, msg);
  }
  private static StatusException invalid(String msg) { return new StatusException(GrpcStatus.INVALID_ARGUMENT, msg); }
  private static StatusException unavailable(String msg) { return new StatusException(GrpcStatus.UNAVAILABLE, msg); }
}
