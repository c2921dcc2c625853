package io.vetch.server.grpc;

import io.vetch.api.etcdserverpb.ClusterService;
import io.vetch.api.etcdserverpb.Member;
import io.vetch.api.etcdserverpb.MemberAddRequest;
import io.vetch.api.etcdserverpb.MemberAddResponse;
import io.vetch.api.etcdserverpb.MemberListRequest;
import io.vetch.api.etcdserverpb.MemberListResponse;
import io.vetch.api.etcdserverpb.MemberPromoteRequest;
import io.vetch.api.etcdserverpb.MemberPromoteResponse;
import io.vetch.api.etcdserverpb.MemberRemoveRequest;
import io.vetch.api.etcdserverpb.MemberRemoveResponse;
import io.vetch.api.etcdserverpb.MemberUpdateRequest;
import io.vetch.api.etcdserverpb.MemberUpdateResponse;
import io.vetch.api.etcdserverpb.ResponseHeader;
import io.vetch.api.raftpb.ConfChange;
import io.vetch.api.raftpb.ConfChangeType;
import io.vetch.server.base.EtcdErrors;
import io.vetch.server.base.MemberIds;
import io.vetch.server.membership.Membership;
import io.vertx.core.Future;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.List;

/**
 * etcd's Cluster service. Membership changes are validated here against this member's membership (etcd's
 * ValidateConfigurationChange and strict reconfiguration check: a change must not leave fewer started voters than a
 * quorum), then proposed as Raft conf changes and answered once applied. Validation before proposing is advisory
 * (two racing requests can both pass); applying is deterministic on every member whatever the outcome.
 * The leader refuses to promote a learner with less than 90% of its log ("in sync with leader"); a promotion
 * requested on a follower is forwarded, and if the leader refuses it the request times out.
 */
public final class ClusterServer extends ClusterService {
  private static final int MAX_LEARNERS = 1;

  private final Membership membership;
  private final Headers headers;
  private final CallAuth auth;
  private final ReadIndex readIndex;
  private final Proposer proposer;

  public ClusterServer(Membership membership, Headers headers, CallAuth auth, ReadIndex readIndex,
      Proposer proposer) {
    this.membership = membership;
    this.headers = headers;
    this.auth = auth;
    this.readIndex = readIndex;
    this.proposer = proposer;
  }

  private ResponseHeader header() {
    return headers.current();
  }

  @Override
  public Future<MemberListResponse> memberList(MemberListRequest request) {
    Future<?> barrier = request.getLinearizable() ? readIndex.await() : Future.succeededFuture();
    return barrier.map(v -> MemberListResponse.newBuilder().setHeader(header())
        .addAllMembers(membership.members()).build());
  }

  @Override
  public Future<MemberAddResponse> memberAdd(MemberAddRequest request) {
    io.vertx.grpc.server.StatusException denied = auth.checkAdmin();
    if (denied != null) {
      return Future.failedFuture(denied);
    }
    Membership ms = membership;
    List<URI> urls;
    try {
      urls = peerUrls(request.getPeerURLsList());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(EtcdErrors.memberBadUrls());
    }
    long id = MemberIds.memberId(urls, Long.toString(Instant.now().getEpochSecond()));
    if (ms.member(id) != null) {
      return Future.failedFuture(EtcdErrors.memberExist());
    }
    if (ms.isRemoved(id)) {
      return Future.failedFuture(EtcdErrors.memberNotFound());
    }
    if (request.getPeerURLsList().stream().anyMatch(ms.peerUrls(0)::contains)) {
      return Future.failedFuture(EtcdErrors.peerUrlExist());
    }
    boolean learner = request.getIsLearner();
    if (learner && ms.members().stream().filter(Member::getIsLearner).count() >= MAX_LEARNERS) {
      return Future.failedFuture(EtcdErrors.tooManyLearners());
    }
    if (!learner && !readyToAddVoter(ms)) {
      return Future.failedFuture(EtcdErrors.memberNotEnoughStarted());
    }
    Member added = Member.newBuilder().setID(id).addAllPeerURLs(request.getPeerURLsList()).setIsLearner(learner)
        .build();
    return proposer.proposeConfChange(ConfChange.newBuilder().setNodeId(id).setContext(added.toByteString())
            .setType(learner ? ConfChangeType.ConfChangeAddLearnerNode : ConfChangeType.ConfChangeAddNode))
        .map(members -> MemberAddResponse.newBuilder().setHeader(header()).setMember(added).addAllMembers(members)
            .build());
  }

  @Override
  public Future<MemberRemoveResponse> memberRemove(MemberRemoveRequest request) {
    io.vertx.grpc.server.StatusException denied = auth.checkAdmin();
    if (denied != null) {
      return Future.failedFuture(denied);
    }
    Membership ms = membership;
    Member m = ms.member(request.getID());
    if (m == null) {
      return Future.failedFuture(EtcdErrors.memberNotFound());
    }
    if (!m.getIsLearner() && !readyToRemoveVoter(ms, m.getID())) {
      return Future.failedFuture(EtcdErrors.memberNotEnoughStarted());
    }
    return proposer.proposeConfChange(ConfChange.newBuilder().setNodeId(m.getID())
            .setType(ConfChangeType.ConfChangeRemoveNode))
        .map(members -> MemberRemoveResponse.newBuilder().setHeader(header()).addAllMembers(members).build());
  }

  @Override
  public Future<MemberUpdateResponse> memberUpdate(MemberUpdateRequest request) {
    io.vertx.grpc.server.StatusException denied = auth.checkAdmin();
    if (denied != null) {
      return Future.failedFuture(denied);
    }
    Membership ms = membership;
    if (ms.member(request.getID()) == null) {
      return Future.failedFuture(EtcdErrors.memberNotFound());
    }
    try {
      peerUrls(request.getPeerURLsList());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(EtcdErrors.memberBadUrls());
    }
    if (request.getPeerURLsList().stream().anyMatch(ms.peerUrls(request.getID())::contains)) {
      return Future.failedFuture(EtcdErrors.peerUrlExist());
    }
    Member updated = Member.newBuilder().setID(request.getID()).addAllPeerURLs(request.getPeerURLsList()).build();
    return proposer.proposeConfChange(ConfChange.newBuilder().setNodeId(request.getID())
            .setContext(updated.toByteString()).setType(ConfChangeType.ConfChangeUpdateNode))
        .map(members -> MemberUpdateResponse.newBuilder().setHeader(header()).addAllMembers(members).build());
  }

  @Override
  public Future<MemberPromoteResponse> memberPromote(MemberPromoteRequest request) {
    io.vertx.grpc.server.StatusException denied = auth.checkAdmin();
    if (denied != null) {
      return Future.failedFuture(denied);
    }
    Membership ms = membership;
    Member m = ms.member(request.getID());
    if (m == null) {
      return Future.failedFuture(EtcdErrors.memberNotFound());
    }
    if (!m.getIsLearner()) {
      return Future.failedFuture(EtcdErrors.memberNotLearner());
    }
    if (!readyToAddVoter(ms)) {
      return Future.failedFuture(EtcdErrors.memberNotEnoughStarted());
    }
    return proposer.proposeConfChange(ConfChange.newBuilder().setNodeId(m.getID())
            .setType(ConfChangeType.ConfChangeAddNode))
        .map(members -> MemberPromoteResponse.newBuilder().setHeader(header()).addAllMembers(members).build());
  }

  /** etcd's IsReadyToAddVotingMember: the started voters stay a quorum of the grown cluster. */
  private static boolean readyToAddVoter(Membership ms) {
    List<Member> voters = ms.members().stream().filter(m -> !m.getIsLearner()).toList();
    int members = voters.size() + 1;
    long started = voters.stream().filter(m -> !m.getName().isEmpty()).count();
    return (started == 1 && members == 2) || started >= members / 2 + 1;
  }

  /** etcd's IsReadyToRemoveVotingMember: the started voters left stay a quorum of the shrunk cluster. */
  private static boolean readyToRemoveVoter(Membership ms, long id) {
    List<Member> rest = ms.members().stream().filter(m -> !m.getIsLearner() && m.getID() != id).toList();
    long started = rest.stream().filter(m -> !m.getName().isEmpty()).count();
    return started >= rest.size() / 2 + 1;
  }

  /** etcd's types.NewURLs: at least one, each http(s)://host:port with no path; else IllegalArgumentException. */
  static List<URI> peerUrls(List<String> raw) {
    if (raw.isEmpty()) {
      throw new IllegalArgumentException("no URLs");
    }
    return raw.stream().map(s -> {
      try {
        URI u = new URI(s);
        boolean ok = ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null
            && u.getPort() > 0 && (u.getPath() == null || u.getPath().isEmpty());
        if (!ok) {
          throw new IllegalArgumentException(s);
        }
        return u;
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(s, e);
      }
    }).toList();
  }
}
