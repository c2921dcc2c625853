package io.vetch.server.grpc;

import com.google.protobuf.CodedOutputStream;
import io.vetch.api.etcdserverpb.RangeResponse;
import io.vetch.api.etcdserverpb.ResponseHeader;
import io.vetch.mvcc.backend.BackendRecord;
import io.vetch.server.apply.RangeQuery;
import io.vetch.server.wire.GrpcFraming;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * KV.Range's reply, gRPC-framed, encoded straight from the stored records: each record already holds its
 * KeyValue's encoding, so it is copied into the reply without being parsed and encoded again (a 10,000-key range
 * made 20,000 objects per request the other way). The reply is cut into chunks of at most {@link #CHUNK} bytes,
 * written one after the other: a large reply never needs one large array (a 2.7 MB reply was a G1 humongous
 * object, copied once more to prepend the frame header). The message bytes are exactly what
 * RangeResponse.toByteArray() gives.
 */
final class StoredRangeReply {
  /** The size of each chunk but the last: well below half a G1 region, so allocated in the young generation. */
  static final int CHUNK = 64 * 1024;

  private static final int HEADER = RangeResponse.HEADER_FIELD_NUMBER;
  private static final int KVS = RangeResponse.KVS_FIELD_NUMBER;
  private static final int MORE = RangeResponse.MORE_FIELD_NUMBER;
  private static final int COUNT = RangeResponse.COUNT_FIELD_NUMBER;

  private StoredRangeReply() {}

  /** The reply for answer, framed, in chunks. */
  static List<Buffer> framed(ResponseHeader header, RangeQuery.Stored answer) {
    int size = CodedOutputStream.computeMessageSize(HEADER, header);
    for (byte[] record : answer.records()) {
      int n = BackendRecord.payloadLength(record);
      size += CodedOutputStream.computeTagSize(KVS) + CodedOutputStream.computeUInt32SizeNoTag(n) + n;
    }
    if (answer.more()) {
      size += CodedOutputStream.computeBoolSize(MORE, true);
    }
    if (answer.count() != 0) {
      size += CodedOutputStream.computeInt64Size(COUNT, answer.count());
    }
    Chunks out = new Chunks(GrpcFraming.PREFIX + size);
    CodedOutputStream cos = CodedOutputStream.newInstance(out, 4096);
    try {
      cos.write((byte) 0);
      cos.writeFixed32NoTag(Integer.reverseBytes(size)); // the frame's length is big-endian
      cos.writeMessage(HEADER, header);
      for (byte[] record : answer.records()) {
        cos.writeByteArray(KVS, record, BackendRecord.PAYLOAD_OFFSET, BackendRecord.payloadLength(record));
      }
      if (answer.more()) {
        cos.writeBool(MORE, true);
      }
      if (answer.count() != 0) {
        cos.writeInt64(COUNT, answer.count());
      }
      cos.flush();
    } catch (IOException e) {
      throw new IllegalStateException("encoding a range reply", e); // Chunks never fails
    }
    return out.done();
  }

  /** Collects total bytes into arrays of at most CHUNK bytes. */
  private static final class Chunks extends OutputStream {
    private final List<Buffer> done = new ArrayList<>();
    private int left;
    private byte[] cur;
    private int pos;

    Chunks(int total) {
      left = total;
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      while (len > 0) {
        if (cur == null) {
          if (left == 0) {
            throw new IllegalStateException("range reply: more bytes written than sized");
          }
          cur = new byte[Math.min(CHUNK, left)];
          pos = 0;
        }
        int n = Math.min(len, cur.length - pos);
        System.arraycopy(b, off, cur, pos, n);
        pos += n;
        off += n;
        len -= n;
        if (pos == cur.length) {
          done.add(Buffer.buffer(cur));
          left -= cur.length;
          cur = null;
        }
      }
    }

    List<Buffer> done() {
      if (cur != null || left != 0) {
        throw new IllegalStateException("range reply: " + left + " bytes sized but not written");
      }
      return done;
    }
  }
}
