package io.vetch.server.membership;

import io.vetch.server.base.DurableFile;
import com.google.protobuf.InvalidProtocolBufferException;
import io.vetch.api.etcdserverpb.Member;
import io.vetch.api.membershippb.ClusterMemberAttrSetRequest;
import io.vetch.api.membershippb.DowngradeInfoSetRequest;
import io.vetch.api.raftpb.ConfChange;
import io.vetch.api.raftpb.ConfState;
import io.vetch.server.base.StateBytes;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cluster's members as of the last applied conf change (etcd's RaftCluster): id, peer URLs, learner flag, and
 * the name and client URLs each member published through Raft. Built only from applied Raft entries: conf changes
 * (whose context is the {@link Member} being added or updated, bootstrap entries included) and
 * ClusterMemberAttrSetRequest; or replaced whole by a Raft snapshot's copy. Every member therefore holds the same
 * membership at the same index, and its voters and learners are Raft's {@link ConfState}.
 *
 * <p>Committed conf changes are applied unconditionally and idempotently (adding an existing member updates it,
 * removing an unknown one is a no-op), so all members agree without re-validating; requests are validated before
 * they are proposed. Persisted in member/members after every change (written to a temporary file, fsynced and
 * renamed), with the index of the last change, so that replaying older entries after a crash is skipped.
 *
 * <p>Threads: changed only by the storage worker; read from any thread (an immutable view is published).
 */
public final class Membership implements io.vetch.server.apply.ClusterState {
  /** downgradeTarget: the enabled downgrade's target version ("X.Y.0"), "" when none is. */
  private record View(long index, Map<Long, Member> members, Set<Long> removed, String downgradeTarget) {}

  private final Path file;
  private volatile View view;

  private Membership(Path file, View view) {
    this.file = file;
    this.view = view;
  }

  public static Membership load(Path file) throws IOException {
    View v = Files.exists(file) ? decode(Files.readAllBytes(file)) : new View(0, Map.of(), Set.of(), "");
    return new Membership(file, v);
  }

  /** Members ordered by id. */
  public List<Member> members() {
    return view.members.values().stream().sorted(Comparator.comparingLong(Member::getID)).toList();
  }

  public Member member(long id) {
    return view.members.get(id);
  }

  public boolean isRemoved(long id) {
    return view.removed.contains(id);
  }

  /** Raft index of the last change applied here. */
  public long index() {
    return view.index;
  }

  public ConfState confState() {
    ConfState.Builder cs = ConfState.newBuilder();
    for (Member m : members()) {
      if (m.getIsLearner()) {
        cs.addLearners(m.getID());
      } else {
        cs.addVoters(m.getID());
      }
    }
    return cs.build();
  }

  /** Peer URL (the first) of every member but self. */
  public Map<Long, URI> peers(long self) {
    Map<Long, URI> out = new HashMap<>();
    view.members.forEach((id, m) -> {
      if (id != self && m.getPeerURLsCount() > 0) {
        out.put(id, URI.create(m.getPeerURLs(0)));
      }
    });
    return out;
  }

  /** Every peer URL in use, for the "Peer URLs already exists" check. */
  public Set<String> peerUrls(long except) {
    Set<String> urls = new HashSet<>();
    view.members.forEach((id, m) -> {
      if (id != except) {
        urls.addAll(m.getPeerURLsList());
      }
    });
    return urls;
  }

  /**
   * Applies the committed conf change at index (storage worker). Returns false if index was applied before
   * (replay after a restart). An unreadable context is treated as a member without URLs.
   */
  public boolean applyConfChange(ConfChange cc, long index) {
    View v = view;
    if (index <= v.index) {
      return false;
    }
    Map<Long, Member> members = new HashMap<>(v.members);
    Set<Long> removed = new HashSet<>(v.removed);
    long id = cc.getNodeId();
    Member old = members.get(id);
    switch (cc.getType()) {
      case ConfChangeAddNode, ConfChangeAddLearnerNode -> {
        boolean learner = cc.getType() == io.vetch.api.raftpb.ConfChangeType.ConfChangeAddLearnerNode;
        Member base = old != null ? old : context(cc);
        members.put(id, base.toBuilder().setID(id).setIsLearner(learner).build());
        removed.remove(id);
      }
      case ConfChangeRemoveNode -> {
        members.remove(id);
        removed.add(id);
      }
      case ConfChangeUpdateNode -> {
        if (old != null) {
          members.put(id, old.toBuilder().clearPeerURLs().addAllPeerURLs(context(cc).getPeerURLsList()).build());
        }
      }
      default -> { }
    }
    replace(new View(index, Map.copyOf(members), Set.copyOf(removed), v.downgradeTarget));
    return true;
  }

  /** A member's published name and client URLs (storage worker); ignored for members not (or no longer) known. */
  @Override
  public void applyAttributes(ClusterMemberAttrSetRequest r) {
    View v = view;
    Member old = v.members.get(r.getMemberID());
    if (old == null) {
      return;
    }
    Member updated = old.toBuilder().setName(r.getMemberAttributes().getName()).clearClientURLs()
        .addAllClientURLs(r.getMemberAttributes().getClientUrlsList()).build();
    if (!updated.equals(old)) {
      Map<Long, Member> members = new HashMap<>(v.members);
      members.put(old.getID(), updated);
      replace(new View(v.index, Map.copyOf(members), v.removed, v.downgradeTarget));
    }
  }

  /** The enabled downgrade's target version ("X.Y.0"), or "" when no downgrade is enabled. Any thread. */
  public String downgradeTarget() {
    return view.downgradeTarget;
  }

  /** Applies a committed DowngradeInfoSet (etcd's cluster.SetDowngradeInfo); storage worker. Idempotent. */
  @Override
  public void applyDowngrade(DowngradeInfoSetRequest r) {
    View v = view;
    String target = r.getEnabled() ? r.getVer() : "";
    if (!target.equals(v.downgradeTarget)) {
      replace(new View(v.index, v.members, v.removed, target));
    }
  }

  /** The whole membership as bytes, for a Raft snapshot. */
  public byte[] toBytes() {
    return encode(view);
  }

  /** The index of the membership in bytes from {@link #toBytes()}. */
  public static long decodeIndex(byte[] data) throws IOException {
    return decode(data).index;
  }

  /** The members in bytes from {@link #toBytes()}. */
  public static List<Member> decodeMembers(byte[] data) throws IOException {
    return List.copyOf(decode(data).members.values());
  }

  /** The removed member ids in bytes from {@link #toBytes()}. */
  public static Set<Long> decodeRemoved(byte[] data) throws IOException {
    return decode(data).removed;
  }

  /** Bytes as {@link #toBytes()} for no members at index 0: what a backup that does not carry them restores. */
  public static byte[] emptyBytes() {
    return encode(new View(0, Map.of(), Set.of(), ""));
  }

  /** Replaces the membership with a snapshot's copy (storage worker). */
  public void restore(byte[] data) throws IOException {
    replace(decode(data));
  }

  private static Member context(ConfChange cc) {
    try {
      return Member.parseFrom(cc.getContext());
    } catch (InvalidProtocolBufferException e) {
      return Member.getDefaultInstance();
    }
  }

  private void replace(View v) {
    try {
      DurableFile.replace(file, encode(v));
    } catch (IOException e) {
      throw new UncheckedIOException("persisting the membership to " + file, e);
    }
    view = v;
  }

  /**
   * u64 index | u32 count | count x (u32 len | Member) | u32 removed count | u64 ids [| UTF downgrade target].
   * The downgrade target came later: bytes without it (an older vetch's) read as no downgrade enabled.
   */
  private static byte[] encode(View v) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeLong(v.index);
      out.writeInt(v.members.size());
      for (Member m : v.members.values()) {
        byte[] b = m.toByteArray();
        out.writeInt(b.length);
        out.write(b);
      }
      out.writeInt(v.removed.size());
      for (long id : v.removed) {
        out.writeLong(id);
      }
      if (!v.downgradeTarget.isEmpty()) {
        out.writeUTF(v.downgradeTarget);
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static View decode(byte[] data) throws IOException {
    StateBytes in = new StateBytes(data, "membership");
    long index = in.readLong();
    Map<Long, Member> members = new HashMap<>();
    for (int i = in.readCount(4); i > 0; i--) {
      Member m = Member.parseFrom(in.readBlob());
      members.put(m.getID(), m);
    }
    Set<Long> removed = new HashSet<>();
    for (int i = in.readCount(8); i > 0; i--) {
      removed.add(in.readLong());
    }
    String downgradeTarget = in.hasMore() ? in.readUtf() : "";
    in.end();
    return new View(index, Map.copyOf(members), Set.copyOf(removed), downgradeTarget);
  }
}
