package io.vetch.server.grpc;

import com.google.protobuf.Message;
import io.vetch.api.etcdserverpb.InternalRaftRequest;
import io.vetch.api.etcdserverpb.Member;
import io.vetch.api.raftpb.ConfChange;
import io.vetch.server.auth.AuthInfo;
import io.vertx.core.Future;
import java.util.List;

/**
 * Proposes requests through Raft. Each completes once the request is applied on this member, with its response, or
 * with etcd's error (too many requests, request too large, timeout, no leader, stopped). Thread-safe.
 */
public interface Proposer {
  /**
   * Proposes req for the current call's user (see {@link CallAuth#authInfo}); its permissions are checked again
   * when it is applied. Call on the event loop, in the call's handler.
   */
  <T extends Message> Future<T> propose(InternalRaftRequest.Builder req);

  /** Proposes req for who. */
  <T extends Message> Future<T> propose(InternalRaftRequest.Builder req, AuthInfo who);

  /** Proposes req as the server itself (auto-compaction): with the root user's rights, as etcd's WithRoot. */
  <T extends Message> Future<T> proposeAsServer(InternalRaftRequest.Builder req);

  /** Proposes a membership change (its id field set here); completes with the member list once applied here. */
  Future<List<Member>> proposeConfChange(ConfChange.Builder cc);
}
