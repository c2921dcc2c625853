package io.vetch.robustness;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * Wing and Gong's linearizability search with Lowe's refinements, as Porcupine does it: calls and returns in time
 * order in a linked list; a call is tried (linearized) when the model accepts it, and undone when a return comes up
 * whose call is not linearized yet; (linearized set, state) pairs already explored are cached. Operations of
 * unknown outcome return at infinity, so they may take effect anywhere after their call, or never. One key's
 * history at a time (etcd's key-value map is P-compositional per key once revisions are checked apart).
 */
final class Linearizability {
  /** Too many steps: the search gives up and says so (never a silent pass). */
  static final long STEP_LIMIT = 50_000_000;

  enum Verdict { OK, ILLEGAL, GAVE_UP }

  private static final class Node {
    final int op;
    final boolean call;
    final long time;
    Node match;
    Node prev;
    Node next;

    Node(int op, boolean call, long time) {
      this.op = op;
      this.call = call;
      this.time = time;
    }
  }

  private record Cached(BitSet linearized, KeyModel state) {}

  private record Frame(Node call, KeyModel state) {}

  private Linearizability() {}

  /** Whether ops (one key's, plus the lease revokes that touch it) are linearizable from "no key". */
  static Verdict check(List<Op> ops, ToLongFunction<Op> writeRevision) {
    List<Node> events = new ArrayList<>();
    for (int i = 0; i < ops.size(); i++) {
      Node c = new Node(i, true, ops.get(i).called());
      Node r = new Node(i, false, ops.get(i).returned());
      c.match = r;
      events.add(c);
      events.add(r);
    }
    // At equal times a call comes first: the two operations then count as concurrent.
    events.sort((a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Boolean.compare(!a.call, !b.call));
    Node head = new Node(-1, false, Long.MIN_VALUE);
    Node last = head;
    for (Node n : events) {
      last.next = n;
      n.prev = last;
      last = n;
    }
    BitSet linearized = new BitSet(ops.size());
    Set<Cached> cache = new HashSet<>();
    List<Frame> stack = new ArrayList<>();
    KeyModel state = null;
    Node entry = head.next;
    long steps = 0;
    while (head.next != null) {
      if (++steps > STEP_LIMIT) {
        return Verdict.GAVE_UP;
      }
      if (entry.call) {
        Op op = ops.get(entry.op);
        KeyModel next = KeyModel.step(state, op, writeRevision.applyAsLong(op));
        if (next != KeyModel.REFUSED) {
          BitSet with = (BitSet) linearized.clone();
          with.set(entry.op);
          if (cache.add(new Cached(with, next))) {
            stack.add(new Frame(entry, state));
            state = next;
            linearized.set(entry.op);
            lift(entry);
            entry = head.next;
            continue;
          }
        }
        entry = entry.next;
      } else {
        if (stack.isEmpty()) {
          return Verdict.ILLEGAL;
        }
        Frame f = stack.remove(stack.size() - 1);
        state = f.state;
        linearized.clear(f.call.op);
        unlift(f.call);
        entry = f.call.next;
      }
    }
    return Verdict.OK;
  }

  private static void lift(Node call) {
    call.prev.next = call.next;
    if (call.next != null) {
      call.next.prev = call.prev;
    }
    Node r = call.match;
    r.prev.next = r.next;
    if (r.next != null) {
      r.next.prev = r.prev;
    }
  }

  private static void unlift(Node call) {
    Node r = call.match;
    r.prev.next = r;
    if (r.next != null) {
      r.next.prev = r;
    }
    call.prev.next = call;
    if (call.next != null) {
      call.next.prev = call;
    }
  }
}
