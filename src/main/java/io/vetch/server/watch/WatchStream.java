package io.vetch.server.watch;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.vetch.api.etcdserverpb.WatchCreateRequest;
import io.vetch.api.etcdserverpb.WatchRequest;
import io.vetch.api.etcdserverpb.WatchResponse;
import io.vetch.api.mvccpb.Event;
import io.vetch.mvcc.CompactedException;
import io.vetch.mvcc.FutureRevisionException;
import io.vetch.mvcc.KvStore;
import io.vetch.mvcc.RangeResult;
import io.vetch.server.wire.FrameBuffer;
import com.google.protobuf.InvalidProtocolBufferException;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One watch stream (etcd's serverWatchStream) on a {@link WatchChannel}: creates, cancels and progress requests come in, responses go
 * out. Watchers live in the event loop's {@link WatcherGroup}. Responses made in one event-loop task (a batch of
 * events fanned out to many watchers) are framed into one buffer and written once at the end of the task.
 * Flow control: events are queued only while the HTTP/2 stream has room (otherwise the group leaves the watcher
 * unsynced, to catch up from the store once the channel drains), and requests stop being read while it is full, so
 * a slow client holds a bounded amount of memory. Confined to the event loop the stream arrived on.
 */
final class WatchStream {
  private static final System.Logger LOG = System.getLogger(WatchStream.class.getName());
  static final String COMPACTED = "etcdserver: mvcc: required revision has been compacted";

  /** Responses queued beyond this many bytes count as a full stream. */
  private static final int PENDING_LIMIT = 1 << 20;

  private final WatcherGroup group;
  private final KvStore store;
  private final int maxResponseBytes;
  private final WatchChannel channel;
  private final Context context;
  private final FrameBuffer pending = new FrameBuffer();
  /**
   * Responses framed ahead for a batch not yet durable ({@link WatcherGroup#prepare}), kept out of pending; not
   * empty only while the stream is in that batch's list of staged streams.
   */
  private final FrameBuffer staged = new FrameBuffer();
  private boolean flushScheduled;
  /**
   * The channel had room when last asked since the last flush. This stream writes at flush only, so until then at
   * most one flush's worth ({@link #PENDING_LIMIT}) goes to a channel that others' writes filled meanwhile.
   */
  private boolean roomSinceFlush;
  /** In its group's list of streams to flush ({@link WatcherGroup#flushSent}). */
  private boolean listed;
  /** Events were refused for lack of room since the last flush: catch-up should run once there is room. */
  private boolean starved;
  private final Map<Long, Watcher> watchers = new HashMap<>();
  private long nextId;
  private int unsynced;
  private boolean progressPending;
  private boolean closed;
  private final WatchPermission permission;
  private final int maxWatchers;
  /** The cancel reason of a create past --experimental-max-watchers-per-stream. */
  static final String TOO_MANY_WATCHERS = "etcdserver: too many watchers on this stream";
  private final String token;
  /** etcd's cancel reason for a watch outside the user's permissions: the Go gRPC error's text. */
  static final String PERMISSION_DENIED = "rpc error: code = PermissionDenied desc = etcdserver: permission denied";

  WatchStream(WatcherGroup group, KvStore store, int maxResponseBytes, WatchChannel channel,
      WatchPermission permission, int maxWatchers) {
    this.permission = permission;
    this.maxWatchers = maxWatchers;
    this.token = channel.token();
    this.group = group;
    this.store = store;
    this.maxResponseBytes = maxResponseBytes;
    this.channel = channel;
    this.context = Vertx.currentContext();
  }

  void start() {
    group.addStream(this);
    channel.start(this::onMessage, why -> finish(13, why), () -> finish(0, null), this::close, () -> {
      channel.resumeRequests();
      group.sync();
    });
  }

  private void onMessage(Buffer bytes) {
    if (closed) {
      return;
    }
    WatchRequest req;
    try {
      req = WatchRequest.parseFrom(bytes.getBytes());
    } catch (InvalidProtocolBufferException e) {
      finish(13, "grpc: error unmarshalling request: " + e.getMessage());
      return;
    }
    switch (req.getRequestUnionCase()) {
      case CREATE_REQUEST -> create(req.getCreateRequest());
      case CANCEL_REQUEST -> cancel(req.getCancelRequest().getWatchId());
      case PROGRESS_REQUEST -> {
        if (unsynced == 0) {
          control(WatchResponse.newBuilder().setHeader(group.header(group.revision())).setWatchId(-1));
        } else {
          progressPending = true; // answered once every watcher here has caught up
        }
      }
      default -> { }
    }
  }

  private void create(WatchCreateRequest c) {
    if (!permission.permits(token, c.getKey().toByteArray(), c.getRangeEnd().toByteArray())) {
      control(WatchResponse.newBuilder().setHeader(group.header(store.currentRevision())).setWatchId(c.getWatchId())
          .setCreated(true).setCanceled(true).setCancelReason(PERMISSION_DENIED));
      return;
    }
    if (watchers.size() >= maxWatchers) {
      control(WatchResponse.newBuilder().setHeader(group.header(store.currentRevision())).setWatchId(-1)
          .setCreated(true).setCanceled(true).setCancelReason(TOO_MANY_WATCHERS));
      return;
    }
    ByteString key = c.getKey().isEmpty() ? ByteString.copyFrom(new byte[] {0}) : c.getKey();
    ByteString end = c.getRangeEnd();
    if (end.isEmpty()) {
      end = null;
    } else if (end.size() == 1 && end.byteAt(0) == 0) {
      end = ByteString.EMPTY;
    }
    long rev = store.currentRevision();
    WatchResponse.Builder created = WatchResponse.newBuilder().setHeader(group.header(rev)).setCreated(true);
    if (end != null && !end.isEmpty() && ByteString.unsignedLexicographicalComparator().compare(key, end) >= 0) {
      control(created.setWatchId(-1).setCanceled(true).setCancelReason("mvcc: watcher range is empty"));
      return;
    }
    long id = c.getWatchId();
    if (id == 0) {
      while (watchers.containsKey(nextId)) {
        nextId++;
      }
      id = nextId++;
    } else if (watchers.containsKey(id)) {
      control(created.setWatchId(-1).setCanceled(true)
          .setCancelReason("mvcc: duplicate watch ID provided on the WatchStream"));
      return;
    }
    Watcher w = new Watcher(id, this, key, end, c, c.getStartRevision() > 0 ? c.getStartRevision() : rev + 1);
    watchers.put(id, w);
    control(created.setWatchId(id));
    group.add(w);
  }

  private void cancel(long id) {
    Watcher w = watchers.remove(id);
    if (w != null) {
      group.remove(w);
      control(WatchResponse.newBuilder().setHeader(group.header(group.revision())).setWatchId(id).setCanceled(true));
    }
  }

  /** The group canceled w: its start revision (or where it had got to) was compacted. */
  void canceledCompacted(Watcher w, long compactRevision) {
    watchers.remove(w.id);
    control(WatchResponse.newBuilder().setHeader(group.header(group.revision())).setWatchId(w.id)
        .setCanceled(true).setCompactRevision(compactRevision).setCancelReason(COMPACTED));
  }

  boolean writable() {
    if (closed || pending.length() >= PENDING_LIMIT) {
      return false;
    }
    if (!roomSinceFlush) {
      roomSinceFlush = !channel.writeQueueFull(); // asked once a flush: a fan-out to many watchers asks once
    }
    return roomSinceFlush;
  }

  /**
   * Sends w the batch's events (whole revisions, in order) in one response, or in fragments if w asked for them
   * and the response is too large. Returns false, sending nothing, when the stream's write queue is full. The
   * group writes it when the caller has sent what it has ({@link WatcherGroup#flushSent}).
   */
  boolean sendEvents(Watcher w, EventBatch batch) {
    if (!w.prevKv && !w.fragment) {
      if (!appendPlain(w.id, batch, null)) {
        return false;
      }
    } else if (!closed) {
      if (!writable()) {
        starved = true;
        return false;
      }
      WatchResponse r = w.prevKv
          ? WatchResponse.newBuilder().setHeader(group.header(batch.revision)).setWatchId(w.id)
              .addAllEvents(withPrevKv(batch.events)).build()
          : batch.response(w.id);
      if (w.fragment && r.getSerializedSize() >= maxResponseBytes && r.getEventsCount() > 1) {
        writeFragments(r);
      } else {
        queue(r);
      }
      listPending();
    }
    w.sentSinceProgress = true;
    return true;
  }

  /**
   * As {@link #sendEvents}, but into the staged buffer, kept aside until {@link #sendStaged} or {@link #dropStaged}
   * (see WatcherGroup#prepare). False, staging nothing, when the stream has no room or w's response is not a plain
   * one (prev_kv, fragments): the batch is then fanned out once durable instead.
   */
  boolean stageEvents(Watcher w, EventBatch batch, List<WatchStream> staged) {
    if (w.prevKv || w.fragment || !appendPlain(w.id, batch, staged)) {
      return false;
    }
    w.sentSinceProgress = true;
    return true;
  }

  /**
   * Appends the plain response of batch (its events as they are) for the watcher id: to the pending responses when
   * staged is null, else to the staged ones, listing this stream in staged at its first. False, appending nothing,
   * when the stream has no room. The watcher's own state is the caller's.
   */
  boolean appendPlain(long id, EventBatch batch, List<WatchStream> staged) {
    if (closed) {
      return true;
    }
    if (!writable()) {
      starved |= staged == null;
      return false;
    }
    if (staged == null) {
      batch.appendTo(pending, id);
      listPending();
    } else {
      if (this.staged.length() == 0) {
        staged.add(this);
      }
      batch.appendTo(this.staged, id);
    }
    return true;
  }

  /** Lists this stream in its group's streams to flush, once. */
  private void listPending() {
    if (!listed) {
      listed = true;
      group.toFlush(this);
    }
  }

  /** The staged responses join the pending ones, written at the group's flush. */
  void sendStaged() {
    if (closed || staged.length() == 0) {
      dropStaged();
      return;
    }
    pending.appendAll(staged);
    listPending();
  }

  void dropStaged() {
    staged.clear();
  }

  /** etcd's sendFragments: as many events per response as fit under the limit (at least one), fragment=true on all but the last. */
  private void writeFragments(WatchResponse r) {
    WatchResponse.Builder base = r.toBuilder().clearEvents().setFragment(true);
    int baseSize = base.build().getSerializedSize();
    WatchResponse.Builder cur = base.clone();
    int size = baseSize;
    for (Event ev : r.getEventsList()) {
      int evSize = CodedOutputStream.computeMessageSize(WatchResponse.EVENTS_FIELD_NUMBER, ev);
      if (cur.getEventsCount() > 0 && size + evSize >= maxResponseBytes) {
        queue(cur.build());
        cur = base.clone();
        size = baseSize;
      }
      cur.addEvents(ev);
      size += evSize;
    }
    queue(cur.setFragment(false).build());
  }

  /** Frames r into the pending buffer, written at the end of the current event-loop task. */
  private void queue(WatchResponse r) {
    pending.append(r);
    scheduleFlush();
  }

  private void scheduleFlush() {
    if (!flushScheduled) {
      flushScheduled = true;
      context.runOnContext(v -> flush());
    }
  }

  /** Writes the responses gathered so far, if any. */
  void flush() {
    flushScheduled = false;
    roomSinceFlush = false;
    listed = false;
    if (!closed && pending.length() > 0) {
      int messages = pending.messages();
      channel.write(pending.take(), messages);
    }
    if (starved && !closed && !channel.writeQueueFull()) {
      starved = false;
      group.sync(); // room again without a drain event: the refused watchers catch up now
    }
  }

  /** Fills prev_kv as etcd does: the key at the revision before the event's, unless the event created the key. */
  private List<Event> withPrevKv(List<Event> events) {
    List<Event> out = new ArrayList<>(events.size());
    for (Event ev : events) {
      if (ev.getType() == Event.EventType.PUT && ev.getKv().getCreateRevision() == ev.getKv().getModRevision()) {
        out.add(ev);
        continue;
      }
      try {
        RangeResult prev = store.range(ev.getKv().getKey().toByteArray(), null, ev.getKv().getModRevision() - 1, 1,
            false);
        out.add(prev.kvs().isEmpty() ? ev : ev.toBuilder().setPrevKv(prev.kvs().get(0)).build());
      } catch (CompactedException | FutureRevisionException e) {
        out.add(ev);
      }
    }
    return out;
  }

  /** A progress notification for w (periodic, progress_notify), sent only if nothing was sent since the last. */
  void progressTick(long rev) {
    for (Watcher w : watchers.values()) {
      if (w.progressNotify && w.synced && !w.sentSinceProgress && writable()) {
        queue(WatchResponse.newBuilder().setHeader(group.header(rev)).setWatchId(w.id).build());
      }
      w.sentSinceProgress = false;
    }
  }

  /** The group moved one of this stream's watchers to unsynced. */
  void watcherUnsynced() {
    unsynced++;
  }

  /** One of this stream's unsynced watchers caught up, was canceled or removed. */
  void watcherSynced() {
    unsynced--;
    if (unsynced == 0 && progressPending) {
      progressPending = false;
      control(WatchResponse.newBuilder().setHeader(group.header(group.revision())).setWatchId(-1));
    }
  }

  /** Created, canceled and progress responses always go out; while the queue is full, requests wait. */
  private void control(WatchResponse.Builder r) {
    if (closed) {
      return;
    }
    queue(r.build());
    if (!writable()) {
      channel.pauseRequests();
    }
  }

  /** Ends the call with a gRPC status (0 = OK) after what is queued. */
  private void finish(int status, String message) {
    if (closed) {
      return;
    }
    flush();
    close();
    channel.finish(status, message);
  }

  private void close() {
    if (closed) {
      return;
    }
    closed = true;
    watchers.values().forEach(group::remove);
    watchers.clear();
    group.removeStream(this);
    LOG.log(System.Logger.Level.DEBUG, "watch stream closed");
  }
}
