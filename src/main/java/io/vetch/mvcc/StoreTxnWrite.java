package io.vetch.mvcc;

import com.google.protobuf.ByteString;
import io.vetch.api.mvccpb.Event;
import io.vetch.api.mvccpb.KeyValue;
import io.vetch.mvcc.backend.Backend;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * etcd's storeTxnWrite. Each change is written straight to the backend and the key index under revision
 * (beginRev + 1, sub = number of earlier changes), tagged with the txn's raft index; readers outside the txn
 * do not see it until {@link #end()} bumps the store's current revision. Writer thread only.
 */
final class StoreTxnWrite implements WriteTxn {
  private final KvStore store;
  private final Backend backend;
  private final TreeIndex index;
  private final long raftIndex;
  private final long beginRev;
  private final List<Event> changes = new ArrayList<>();
  private long liveKeyDelta;
  private long addedBytes;
  private boolean ended;

  StoreTxnWrite(KvStore store, Backend backend, TreeIndex index, long raftIndex, long beginRev) {
    this.store = store;
    this.backend = backend;
    this.index = index;
    this.raftIndex = raftIndex;
    this.beginRev = beginRev;
  }

  long raftIndex() {
    return raftIndex;
  }

  @Override
  public long revision() {
    return changes.isEmpty() ? beginRev : beginRev + 1;
  }

  @Override
  public RangeResult range(byte[] key, byte[] end, long rev, long limit, boolean countOnly)
      throws CompactedException, FutureRevisionException {
    checkOpen();
    return store.rangeAt(key, end, rev, limit, countOnly, revision()).decode();
  }

  @Override
  public long put(byte[] key, byte[] value, long lease) {
    checkOpen();
    if (key == null || key.length == 0) {
      throw new IllegalArgumentException("empty key");
    }
    long rev = beginRev + 1;
    KeyIndex ki = index.lookup(key);
    KeyIndex.Hit prev = ki == null ? null : ki.get(rev);
    KeyValue kv = KeyValue.newBuilder()
        .setKey(ByteString.copyFrom(key))
        .setValue(ByteString.copyFrom(value))
        .setCreateRevision(prev == null ? rev : prev.created().main())
        .setModRevision(rev)
        .setVersion(prev == null ? 1 : prev.ver() + 1)
        .setLease(lease)
        .build();
    Revision idxRev = new Revision(rev, changes.size());
    write(idxRev, false, kv);
    index.put(ki, key, idxRev);
    if (prev == null) {
      liveKeyDelta++;
    }
    changes.add(Event.newBuilder().setType(Event.EventType.PUT).setKv(kv).build());
    return rev;
  }

  @Override
  public long deleteRange(byte[] key, byte[] end) {
    checkOpen();
    List<byte[]> keys = index.keys(key, end, revision());
    for (byte[] k : keys) {
      delete(k);
    }
    return keys.size();
  }

  private void delete(byte[] key) {
    long rev = beginRev + 1;
    KeyValue kv = KeyValue.newBuilder().setKey(ByteString.copyFrom(key)).setModRevision(rev).build();
    Revision idxRev = new Revision(rev, changes.size());
    write(idxRev, true, kv);
    index.tombstone(key, idxRev);
    liveKeyDelta--;
    changes.add(Event.newBuilder().setType(Event.EventType.DELETE).setKv(kv).build());
  }

  private void write(Revision rev, boolean tombstone, KeyValue kv) {
    byte[] record = KvCodec.encode(raftIndex, tombstone, kv);
    backend.put(rev.main(), rev.sub(), record);
    addedBytes += KvStore.recordFootprint(record.length);
  }

  @Override
  public List<Event> end() {
    checkOpen();
    ended = true;
    store.endTxn(this, !changes.isEmpty(), liveKeyDelta, addedBytes);
    return Collections.unmodifiableList(changes);
  }

  private void checkOpen() {
    if (ended) {
      throw new IllegalStateException("write txn already ended");
    }
  }
}
