package io.vetch.mvcc;

import io.vetch.api.mvccpb.KeyValue;
import io.vetch.mvcc.backend.BackendRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link RangeResult} before decoding: each key's backend record, whose bytes from
 * {@link BackendRecord#PAYLOAD_OFFSET} are its mvccpb.KeyValue encoding, so a reply can carry them as they are.
 * The arrays are the reader's own copies.
 */
public record StoredRange(List<byte[]> records, long rev, long count) {
  public RangeResult decode() {
    List<KeyValue> kvs = new ArrayList<>(records.size());
    for (byte[] record : records) {
      kvs.add(KvCodec.decode(record));
    }
    return new RangeResult(kvs, rev, count);
  }
}
