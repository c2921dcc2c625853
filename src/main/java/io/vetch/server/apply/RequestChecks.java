package io.vetch.server.apply;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.Compare;
import io.vetch.api.etcdserverpb.DeleteRangeRequest;
import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.api.etcdserverpb.RangeRequest;
import io.vetch.api.etcdserverpb.RequestOp;
import io.vetch.api.etcdserverpb.TxnRequest;
import io.vetch.server.base.EtcdErrors;
import io.vertx.grpc.server.StatusException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Request validation done before a request is proposed (etcd's api/v3rpc/key.go checks), so a bad request
 * never reaches the Raft log. Errors are etcd's exact statuses and messages.
 */
public final class RequestChecks {
  private RequestChecks() {}

  public static void range(RangeRequest r) throws StatusException {
    if (r.getKey().isEmpty()) throw EtcdErrors.emptyKey();
  }

  public static void put(PutRequest r) throws StatusException {
    if (r.getKey().isEmpty()) throw EtcdErrors.emptyKey();
    if (r.getIgnoreValue() && !r.getValue().isEmpty()) throw EtcdErrors.valueProvided();
    if (r.getIgnoreLease() && r.getLease() != 0) throw EtcdErrors.leaseProvided();
  }

  public static void deleteRange(DeleteRangeRequest r) throws StatusException {
    if (r.getKey().isEmpty()) throw EtcdErrors.emptyKey();
  }

  public static void txn(TxnRequest r, int maxTxnOps) throws StatusException {
    if (r.getCompareCount() > maxTxnOps || r.getSuccessCount() > maxTxnOps || r.getFailureCount() > maxTxnOps) {
      throw EtcdErrors.tooManyOps();
    }
    for (Compare c : r.getCompareList()) {
      if (c.getKey().isEmpty()) throw EtcdErrors.emptyKey();
    }
    for (RequestOp op : r.getSuccessList()) op(op, maxTxnOps);
    for (RequestOp op : r.getFailureList()) op(op, maxTxnOps);
    checkIntervals(r.getSuccessList());
    checkIntervals(r.getFailureList());
  }

  private static void op(RequestOp op, int maxTxnOps) throws StatusException {
    switch (op.getRequestCase()) {
      case REQUEST_RANGE -> range(op.getRequestRange());
      case REQUEST_PUT -> put(op.getRequestPut());
      case REQUEST_DELETE_RANGE -> deleteRange(op.getRequestDeleteRange());
      case REQUEST_TXN -> txn(op.getRequestTxn(), maxTxnOps);
      default -> { }
    }
  }

  /** etcd's checkIntervals: no key may be written twice in one branch (puts vs puts, puts vs deletes), nested txns included. */
  private static void checkIntervals(List<RequestOp> ops) throws StatusException {
    intervals(ops);
  }

  private record Writes(Set<ByteString> puts, List<byte[][]> deletes) {}

  private static Writes intervals(List<RequestOp> ops) throws StatusException {
    List<byte[][]> dels = new ArrayList<>();
    for (RequestOp op : ops) {
      if (op.getRequestCase() == RequestOp.RequestCase.REQUEST_DELETE_RANGE) {
        DeleteRangeRequest d = op.getRequestDeleteRange();
        dels.add(new byte[][] {d.getKey().toByteArray(), d.getRangeEnd().toByteArray()});
      }
    }
    Set<ByteString> puts = new HashSet<>();
    for (RequestOp op : ops) {
      if (op.getRequestCase() != RequestOp.RequestCase.REQUEST_TXN) continue;
      Writes then = intervals(op.getRequestTxn().getSuccessList());
      Writes otherwise = intervals(op.getRequestTxn().getFailureList());
      for (ByteString k : then.puts()) {
        if (puts.contains(k) || covered(dels, k)) throw EtcdErrors.duplicateKey();
        puts.add(k);
      }
      for (ByteString k : otherwise.puts()) {
        // then and else are exclusive: the same key in both is fine
        if ((puts.contains(k) && !then.puts().contains(k)) || covered(dels, k)) throw EtcdErrors.duplicateKey();
        puts.add(k);
      }
      dels.addAll(then.deletes());
      dels.addAll(otherwise.deletes());
    }
    for (RequestOp op : ops) {
      if (op.getRequestCase() != RequestOp.RequestCase.REQUEST_PUT) continue;
      ByteString k = op.getRequestPut().getKey();
      if (puts.contains(k) || covered(dels, k)) throw EtcdErrors.duplicateKey();
      puts.add(k);
    }
    return new Writes(puts, dels);
  }

  private static boolean covered(List<byte[][]> dels, ByteString k) {
    byte[] key = k.toByteArray();
    for (byte[][] d : dels) {
      if (contains(d, key)) return true;
    }
    return false;
  }

  /** Whether the delete [key, end) (end empty: the key alone; "\0": every key from key) covers k. */
  private static boolean contains(byte[][] del, byte[] k) {
    byte[] key = del[0];
    byte[] end = del[1];
    if (end.length == 0) return Arrays.equals(key, k);
    if (Arrays.compareUnsigned(k, key) < 0) return false;
    if (end.length == 1 && end[0] == 0) return true;
    return Arrays.compareUnsigned(k, end) < 0;
  }
}
