package io.vetch.server.watch;

import com.google.protobuf.CodedOutputStream;
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

  /** Appends to frames the response for the watcher whose encoded watch_id is idField. */
  void appendTo(FrameBuffer frames, byte[] idField) {
    if (shared == null) {
      shared = WatchResponse.newBuilder().setHeader(header).addAllEvents(events).build().toByteArray();
    }
    frames.append(idField, shared);
  }

  /** The watch_id field of a WatchResponse, encoded: nothing for 0 (proto3 leaves a default value out). */
  static byte[] watchIdField(long watchId) {
    if (watchId == 0) {
      return new byte[0];
    }
    byte[] field = new byte[CodedOutputStream.computeInt64Size(WatchResponse.WATCH_ID_FIELD_NUMBER, watchId)];
    CodedOutputStream out = CodedOutputStream.newInstance(field);
    try {
      out.writeInt64(WatchResponse.WATCH_ID_FIELD_NUMBER, watchId);
      out.checkNoSpaceLeft();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("writing to an array", e);
    }
    return field;
  }
}
