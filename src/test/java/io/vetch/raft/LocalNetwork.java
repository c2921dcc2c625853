package io.vetch.raft;

import io.vetch.api.raftpb.Message;
import io.vetch.api.raftpb.MessageType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.LongStream;

/**
 * A cluster of {@link Member}s and the messages in flight between them. Messages wait in {@link #inFlight} until
 * delivered (in any order the test chooses), dropped or duplicated; a partition ({@link #cut}) drops messages
 * between the two sides at delivery. A MsgSnap's fate is reported to its sender, as the transport does.
 */
final class LocalNetwork {
  final Map<Long, Member> members = new TreeMap<>();
  final List<Message> inFlight = new ArrayList<>();
  private final Set<Long> cut = new HashSet<>();
  Consumer<Member> onApplied = m -> { };
  /** Sees every message taken from {@link #inFlight} for delivery, delivered or lost. */
  Consumer<Message> onDeliver = m -> { };

  LocalNetwork(int voters, long seed) {
    this(voters, seed, cfg -> { });
  }

  LocalNetwork(int voters, long seed, Consumer<RaftConfig> tune) {
    List<Long> ids = LongStream.rangeClosed(1, voters).boxed().toList();
    for (long id : ids) {
      members.put(id, new Member(id, ids, seed * 31 + id, tune));
    }
  }

  Member member(long id) {
    return members.get(id);
  }

  /** Adds a member that is not in the initial configuration (it learns it from the leader). */
  Member addEmpty(long id, long seed) {
    Member m = new Member(id, List.of(), seed, cfg -> { });
    members.put(id, m);
    return m;
  }

  void send(List<Message> msgs) {
    inFlight.addAll(msgs);
  }

  /** Cuts id off from every other member. */
  void isolate(long id) {
    cut.add(id);
  }

  void heal() {
    cut.clear();
  }

  private boolean reachable(long from, long to) {
    return !(cut.contains(from) ^ cut.contains(to)) || from == to;
  }

  /** Delivers (or loses, when cut or the receiver is down) the message at position i. */
  void deliver(int i) {
    Message m = inFlight.remove(i);
    onDeliver.accept(m);
    Member to = members.get(m.getTo());
    boolean ok = to != null && to.up && reachable(m.getFrom(), m.getTo());
    if (ok) {
      to.node.step(m);
    }
    if (m.getType() == MessageType.MsgSnap) {
      Member from = members.get(m.getFrom());
      if (from.up) {
        from.node.reportSnapshot(m.getTo(), !ok);
      }
    }
  }

  void drop(int i) {
    Message m = inFlight.remove(i);
    if (m.getType() == MessageType.MsgSnap && members.get(m.getFrom()).up) {
      members.get(m.getFrom()).node.reportSnapshot(m.getTo(), true);
    }
  }

  /** Handles one Ready of a member completely; false if it had none. */
  boolean processReady(Member m) {
    if (!m.up || !m.takeReady(this::send)) {
      return false;
    }
    m.persist(this::send, onApplied);
    return true;
  }

  /** Runs Readies and delivers messages in FIFO order until nothing moves. */
  void stabilize() {
    for (int rounds = 0; rounds < 10_000; rounds++) {
      boolean moved = false;
      for (Member m : members.values()) {
        moved |= processReady(m);
      }
      while (!inFlight.isEmpty()) {
        deliver(0);
        moved = true;
      }
      if (!moved) {
        return;
      }
    }
    throw new AssertionError("cluster did not stabilize");
  }

  void tickAll(int ticks) {
    for (int i = 0; i < ticks; i++) {
      for (Member m : members.values()) {
        if (m.up) {
          m.node.tick();
        }
      }
      stabilize();
    }
  }

  /** Makes id campaign and settles; asserts it won. */
  void elect(long id) {
    member(id).node.campaign();
    stabilize();
    if (!member(id).node.isLeader()) {
      throw new AssertionError("member " + id + " did not win: " + member(id).node.status());
    }
  }

  /** The leader among live members with the highest term, or null. */
  Member leader() {
    Member best = null;
    for (Member m : members.values()) {
      if (m.up && m.node.isLeader() && (best == null || m.node.term() > best.node.term())) {
        best = m;
      }
    }
    return best;
  }
}
