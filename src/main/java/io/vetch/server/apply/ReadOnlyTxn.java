package io.vetch.server.apply;

import io.vetch.api.etcdserverpb.RequestOp;
import io.vetch.api.etcdserverpb.ResponseHeader;
import io.vetch.api.etcdserverpb.ResponseOp;
import io.vetch.api.etcdserverpb.TxnRequest;
import io.vetch.api.etcdserverpb.TxnResponse;
import io.vetch.mvcc.KvStore;
import io.vertx.grpc.server.StatusException;

/**
 * A Txn whose every op (nested ones included) is a Range: served from the local store without a Raft proposal,
 * like etcd does. All its reads, compares included, see one revision.
 */
public final class ReadOnlyTxn {
  private ReadOnlyTxn() {}

  public static boolean isReadOnly(TxnRequest t) {
    return allOps(t, op -> op.getRequestCase() == RequestOp.RequestCase.REQUEST_RANGE);
  }

  /** Serializable only when every range in it asks to be. */
  public static boolean isSerializable(TxnRequest t) {
    return allOps(t, op -> op.getRequestRange().getSerializable());
  }

  /** Evaluates a read-only txn; the header carries only the revision read. */
  public static TxnResponse.Builder execute(KvStore store, TxnRequest t) throws StatusException {
    long rev = store.currentRevision();
    KvReader atRev = (k, e, r, limit, countOnly) -> store.range(k, e, r == 0 ? rev : r, limit, countOnly);
    return execute(atRev, t).setHeader(ResponseHeader.newBuilder().setRevision(rev));
  }

  private static TxnResponse.Builder execute(KvReader reader, TxnRequest t) throws StatusException {
    boolean ok = Compares.all(reader, t.getCompareList());
    TxnResponse.Builder resp = TxnResponse.newBuilder().setSucceeded(ok);
    for (RequestOp op : ok ? t.getSuccessList() : t.getFailureList()) {
      ResponseOp.Builder r = ResponseOp.newBuilder();
      if (op.getRequestCase() == RequestOp.RequestCase.REQUEST_TXN) {
        r.setResponseTxn(execute(reader, op.getRequestTxn()));
      } else {
        r.setResponseRange(RangeQuery.execute(reader, op.getRequestRange()));
      }
      resp.addResponses(r);
    }
    return resp;
  }

  private interface OpTest {
    boolean test(RequestOp op);
  }

  private static boolean allOps(TxnRequest t, OpTest rangeTest) {
    for (var branch : java.util.List.of(t.getSuccessList(), t.getFailureList())) {
      for (RequestOp op : branch) {
        boolean ok = switch (op.getRequestCase()) {
          case REQUEST_RANGE -> rangeTest.test(op);
          case REQUEST_TXN -> allOps(op.getRequestTxn(), rangeTest);
          default -> false;
        };
        if (!ok) {
          return false;
        }
      }
    }
    return true;
  }
}
