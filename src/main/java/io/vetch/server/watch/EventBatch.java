package io.vetch.server.watch;

import io.vetch.api.etcdserverpb.ResponseHeader;
import io.vetch.api.etcdserverpb.WatchResponse;
import io.vetch.api.mvccpb.Event;
import io.vetch.server.wire.FrameBuffer;
import java.util.List;

/**
 * Events for one or more watchers at one header revision. The WatchResponse fields every watcher shares (header and
 * events) are serialized once, on first use; each watcher's response is then its watch_id field followed by those
 * bytes (protobuf fields may come in any order), so fanning one event out to a thousand watchers serializes it once.
 * Event-loop confined.
 */
final class EventBatch {
  final List<Event> events;
  final long revision;
  private final ResponseHeader header;
  private byte[] shared;

  EventBatch(List<Event> events, long revision, ResponseHeader header) {
    this.events = events;
    this.revision = revision;
    this.header = header;
  }

  /** The full response for watchId, as a message. */
  WatchResponse response(long watchId) {
    return WatchResponse.newBuilder().setHeader(header).setWatchId(watchId).addAllEvents(events).build();
  }

  /** Appends to frames the response for the watcher watchId. */
  void appendTo(FrameBuffer frames, long watchId) {
    if (shared == null) {
      shared = WatchResponse.newBuilder().setHeader(header).addAllEvents(events).build().toByteArray();
    }
    frames.appendVarintField(WatchResponse.WATCH_ID_FIELD_NUMBER, watchId, shared);
  }
}
