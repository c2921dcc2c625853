package io.vetch.server.apply;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.Compare;
import io.vetch.api.etcdserverpb.DeleteRangeRequest;
import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.api.etcdserverpb.RangeRequest;
import io.vetch.api.etcdserverpb.RequestOp;
import io.vetch.api.etcdserverpb.TxnRequest;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import org.junit.jupiter.api.Test;

class RequestChecksTest {
  static RequestOp put(String k) {
    return RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(k))).build();
  }

  static RequestOp del(String k, String end) {
    return RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder()
        .setKey(ByteString.copyFromUtf8(k)).setRangeEnd(ByteString.copyFromUtf8(end))).build();
  }

  static RequestOp txn(TxnRequest.Builder t) {
    return RequestOp.newBuilder().setRequestTxn(t).build();
  }

  static void assertError(String message, org.junit.jupiter.api.function.Executable e) {
    StatusException ex = assertThrows(StatusException.class, e);
    assertEquals(GrpcStatus.INVALID_ARGUMENT, ex.status());
    assertEquals(message, ex.message());
  }

  @Test
  void emptyKeys() {
    assertError("etcdserver: key is not provided", () -> RequestChecks.range(RangeRequest.getDefaultInstance()));
    assertError("etcdserver: key is not provided", () -> RequestChecks.put(PutRequest.getDefaultInstance()));
    assertError("etcdserver: key is not provided",
        () -> RequestChecks.deleteRange(DeleteRangeRequest.getDefaultInstance()));
    assertError("etcdserver: key is not provided", () -> RequestChecks.txn(TxnRequest.newBuilder()
        .addCompare(Compare.getDefaultInstance()).build(), 128));
  }

  @Test
  void ignoreValueAndLeaseRules() {
    assertError("etcdserver: value is provided", () -> RequestChecks.put(PutRequest.newBuilder()
        .setKey(ByteString.copyFromUtf8("k")).setValue(ByteString.copyFromUtf8("v")).setIgnoreValue(true).build()));
    assertError("etcdserver: lease is provided", () -> RequestChecks.put(PutRequest.newBuilder()
        .setKey(ByteString.copyFromUtf8("k")).setLease(5).setIgnoreLease(true).build()));
  }

  @Test
  void tooManyOps() {
    TxnRequest.Builder t = TxnRequest.newBuilder();
    for (int i = 0; i < 4; i++) {
      t.addSuccess(put("k" + i));
    }
    assertDoesNotThrow(() -> RequestChecks.txn(t.build(), 4));
    t.addSuccess(put("k4"));
    assertError("etcdserver: too many operations in txn request", () -> RequestChecks.txn(t.build(), 4));
  }

  @Test
  void duplicateKeysFollowEtcdRules() {
    String dup = "etcdserver: duplicate key given in txn request";
    assertError(dup, () -> RequestChecks.txn(TxnRequest.newBuilder().addSuccess(put("a")).addSuccess(put("a")).build(), 128));
    assertError(dup, () -> RequestChecks.txn(TxnRequest.newBuilder().addSuccess(del("a", "c")).addSuccess(put("b")).build(), 128));
    assertError(dup, () -> RequestChecks.txn(TxnRequest.newBuilder().addSuccess(del("a", "\0")).addSuccess(put("zzz")).build(), 128));
    // a put outside a delete range, puts in different branches, and two deletes are fine
    assertDoesNotThrow(() -> RequestChecks.txn(TxnRequest.newBuilder().addSuccess(del("a", "c")).addSuccess(put("c")).build(), 128));
    assertDoesNotThrow(() -> RequestChecks.txn(TxnRequest.newBuilder().addSuccess(put("a")).addFailure(put("a")).build(), 128));
    assertDoesNotThrow(() -> RequestChecks.txn(TxnRequest.newBuilder().addSuccess(del("a", "")).addSuccess(del("a", "")).build(), 128));
    // nested: the same key in then and else of an inner txn is fine, but not also in the outer branch
    TxnRequest.Builder inner = TxnRequest.newBuilder().addSuccess(put("x")).addFailure(put("x"));
    assertDoesNotThrow(() -> RequestChecks.txn(TxnRequest.newBuilder().addSuccess(txn(inner)).build(), 128));
    assertError(dup, () -> RequestChecks.txn(TxnRequest.newBuilder().addSuccess(txn(inner)).addSuccess(put("x")).build(), 128));
    assertError(dup, () -> RequestChecks.txn(TxnRequest.newBuilder()
        .addSuccess(txn(TxnRequest.newBuilder().addSuccess(del("w", "y")))).addSuccess(put("x")).build(), 128));
  }
}
