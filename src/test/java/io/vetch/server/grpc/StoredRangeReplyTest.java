package io.vetch.server.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.RangeRequest;
import io.vetch.api.etcdserverpb.RangeResponse;
import io.vetch.api.etcdserverpb.ResponseHeader;
import io.vetch.api.mvccpb.KeyValue;
import io.vetch.mvcc.StoredRange;
import io.vetch.mvcc.backend.BackendRecord;
import io.vetch.server.apply.RangeQuery;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The reply encoded from stored records is byte for byte what encoding the decoded RangeResponse gives, gRPC-framed
 * and cut into chunks of at most StoredRangeReply.CHUNK bytes.
 */
class StoredRangeReplyTest {
  private static final ResponseHeader HEADER = ResponseHeader.newBuilder().setClusterId(0x1234567890L)
      .setMemberId(42).setRevision(1_000_000).setRaftTerm(7).build();

  private static KeyValue kv(int i, int valueBytes) {
    return KeyValue.newBuilder().setKey(ByteString.copyFromUtf8(String.format("key/%06d", i)))
        .setCreateRevision(i + 1).setModRevision(i + 2).setVersion(i % 5 + 1).setLease(i % 3 == 0 ? 0 : 99)
        .setValue(ByteString.copyFrom(new byte[valueBytes])).build();
  }

  private static List<KeyValue> kvs(int n, int valueBytes) {
    List<KeyValue> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(kv(i, i % 2 == 0 ? valueBytes : 0));
    }
    return out;
  }

  private static List<byte[]> records(List<KeyValue> kvs) {
    return kvs.stream().map(kv -> BackendRecord.encode(5, false, kv.toByteArray())).toList();
  }

  /** The one gRPC message in chunks, checked for its frame prefix and chunk sizes. */
  private static byte[] message(List<Buffer> chunks) {
    Buffer all = Buffer.buffer();
    for (int i = 0; i < chunks.size(); i++) {
      int n = chunks.get(i).length();
      assertTrue(n <= StoredRangeReply.CHUNK && (n == StoredRangeReply.CHUNK || i == chunks.size() - 1),
          "chunk " + i + " of " + chunks.size() + ": " + n + " bytes");
      all.appendBuffer(chunks.get(i));
    }
    assertEquals(0, all.getByte(0), "not compressed");
    assertEquals(all.length() - 5, all.getInt(1), "frame length");
    return all.getBytes(5, all.length());
  }

  @Test
  void sameBytesAsTheDecodedResponse() {
    for (int n : new int[] {0, 1, 3, 1000}) {
      for (int valueBytes : new int[] {0, 10, 300, 70_000}) {
        for (boolean more : new boolean[] {false, true}) {
          List<KeyValue> kvs = kvs(n, valueBytes);
          long count = more ? n + 5 : n;
          RangeResponse expected = RangeResponse.newBuilder().setHeader(HEADER).addAllKvs(kvs).setMore(more)
              .setCount(count).build();
          byte[] got = message(StoredRangeReply.framed(HEADER, new RangeQuery.Stored(records(kvs), 9, count, more)));
          assertArrayEquals(expected.toByteArray(), got, n + " keys, " + valueBytes + " B values, more=" + more);
        }
      }
    }
  }

  @Test
  void descendingOrderAndLimitAsEtcd() throws Exception {
    List<KeyValue> kvs = kvs(10, 8);
    RangeQuery.MvccRead<StoredRange> reader = (key, end, rev, limit, countOnly) -> {
      List<byte[]> all = records(kvs);
      return new StoredRange(limit > 0 ? all.subList(0, (int) Math.min(limit, all.size())) : all, 77, all.size());
    };
    RangeRequest desc = RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("key/"))
        .setRangeEnd(ByteString.copyFromUtf8("key0")).setLimit(3).setSortOrder(RangeRequest.SortOrder.DESCEND).build();
    assertTrue(RangeQuery.servesStored(desc));
    RangeQuery.Stored s = RangeQuery.executeStored(reader, desc);
    RangeResponse r = RangeResponse.parseFrom(message(StoredRangeReply.framed(HEADER, s)));
    assertEquals(List.of(kvs.get(9), kvs.get(8), kvs.get(7)), r.getKvsList());
    assertTrue(r.getMore());
    assertEquals(10, r.getCount());

    RangeRequest asc = desc.toBuilder().setSortOrder(RangeRequest.SortOrder.NONE).setLimit(10).build();
    RangeResponse all = RangeResponse.parseFrom(message(StoredRangeReply.framed(HEADER,
        RangeQuery.executeStored(reader, asc))));
    assertEquals(kvs, all.getKvsList());
    assertFalse(all.getMore());

    assertFalse(RangeQuery.servesStored(asc.toBuilder().setKeysOnly(true).build()));
    assertFalse(RangeQuery.servesStored(asc.toBuilder().setMinModRevision(3).build()));
    assertFalse(RangeQuery.servesStored(asc.toBuilder().setSortTarget(RangeRequest.SortTarget.MOD).build()));
  }
}
