package io.vetch.mvcc;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vetch.api.mvccpb.Event;
import io.vetch.api.mvccpb.KeyValue;
import io.vetch.mvcc.backend.BackendRecord;

/** Converts between KeyValue/Event and backend records (layout in {@link BackendRecord}). Stateless. */
final class KvCodec {
  private KvCodec() {
  }

  static byte[] encode(long raftIndex, boolean tombstone, KeyValue kv) {
    return BackendRecord.encode(raftIndex, tombstone, kv.toByteArray());
  }

  static KeyValue decode(byte[] record) {
    try {
      return KeyValue.parser().parseFrom(record, BackendRecord.PAYLOAD_OFFSET, BackendRecord.payloadLength(record));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt KeyValue in mvcc backend record", e);
    }
  }

  /** The event a stored record stands for: DELETE for a tombstone (kv = key + mod_revision), else PUT. */
  static Event toEvent(byte[] record) {
    Event.EventType type = BackendRecord.isTombstone(record) ? Event.EventType.DELETE : Event.EventType.PUT;
    return Event.newBuilder().setType(type).setKv(decode(record)).build();
  }
}
