package io.vetch.raft;

import com.google.protobuf.ByteString;
import io.vetch.api.raftpb.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The leader's pending ReadIndex requests (Raft thesis 6.4, etcd's ReadOnlySafe). Each request records the commit
 * index at arrival; it is answered once a quorum acknowledges a heartbeat round sent after it arrived. Requests are
 * batched: the leader sends one round per batch, carrying the context of the batch's newest request, and a quorum
 * for that context releases it and every older request.
 */
final class ReadOnly {
  record Request(Message req, long index, Map<Long, Boolean> acks) {
  }

  private final LinkedHashMap<ByteString, Request> pending = new LinkedHashMap<>();
  private ByteString unsent;

  /** Queues a request (its first entry's data is the context); duplicates of a pending context are ignored. */
  void addRequest(long index, Message m) {
    ByteString ctx = m.getEntries(0).getData();
    if (pending.containsKey(ctx)) {
      return;
    }
    pending.put(ctx, new Request(m, index, new HashMap<>()));
    unsent = ctx;
  }

  /** The context to send with the next heartbeat round if requests arrived since the last one, else null. */
  ByteString takeUnsent() {
    ByteString ctx = unsent;
    unsent = null;
    return ctx;
  }

  /** Context of the newest pending request (a heartbeat round for it confirms all), or null if none. */
  ByteString lastPendingCtx() {
    ByteString last = null;
    for (ByteString ctx : pending.keySet()) {
      last = ctx;
    }
    return last;
  }

  /** Records id's acknowledgement of ctx; returns the acks so far, or null if ctx is not pending. */
  Map<Long, Boolean> recvAck(long id, ByteString ctx) {
    Request r = pending.get(ctx);
    if (r == null) {
      return null;
    }
    r.acks().put(id, true);
    return r.acks();
  }

  /** Removes and returns every request up to and including ctx, oldest first. */
  List<Request> advance(ByteString ctx) {
    if (!pending.containsKey(ctx)) {
      return List.of();
    }
    List<Request> out = new ArrayList<>();
    var it = pending.entrySet().iterator();
    while (it.hasNext()) {
      var e = it.next();
      out.add(e.getValue());
      it.remove();
      if (e.getKey().equals(ctx)) {
        break;
      }
    }
    return out;
  }
}
