package io.vetch.server;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.vetch.api.etcdserverpb.InternalRaftRequest;
import io.vetch.api.etcdserverpb.RequestHeader;
import io.vetch.server.bus.Proposal;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The requests a leader appended, taken back by the apply by index and term instead of decoded. */
class PendingProposalsTest {
  private final Vertx vertx = Vertx.vertx();
  private final PendingProposals pending = new PendingProposals(vertx.eventBus());

  @AfterEach
  void close() {
    vertx.close();
  }

  private InternalRaftRequest add(long id, long index, long term) {
    InternalRaftRequest r = InternalRaftRequest.newBuilder().setHeader(RequestHeader.newBuilder().setID(id)).build();
    pending.add(new Proposal(id, r.toByteArray(), false, "reply", r), index, term);
    return r;
  }

  @Test
  void theApplyTakesTheRequestOfTheEntryAppendedAtThatIndexAndTerm() {
    InternalRaftRequest a = add(1, 5, 2);
    add(2, 6, 2);
    InternalRaftRequest c = add(3, 8, 2);
    add(4, 0, 2); // forwarded: nothing appended here
    assertSame(a, pending.appendedRequest(5, 2));
    assertNull(pending.appendedRequest(6, 3), "another term at that index: another entry, decoded");
    assertNull(pending.appendedRequest(7, 2), "an entry this member did not append");
    assertSame(c, pending.appendedRequest(8, 2));
    assertNull(pending.appendedRequest(9, 2));
  }

  @Test
  void requestsThePassedOverAndAnEarlierIndexAgainAreDropped() {
    add(1, 10, 2);
    add(2, 11, 2);
    assertNull(pending.appendedRequest(12, 2), "10 and 11 never applied (replaced): dropped");
    add(3, 20, 3);
    InternalRaftRequest d = add(4, 15, 4); // leader again, appending over 15..20
    assertNull(pending.appendedRequest(14, 4));
    assertSame(d, pending.appendedRequest(15, 4));
    assertNull(pending.appendedRequest(20, 3), "dropped when 15 was appended again");
  }

  @Test
  void aProposalWithoutItsRequestIsDecoded() {
    pending.add(new Proposal(7, new byte[0], false, "reply"), 30, 5);
    assertNull(pending.appendedRequest(30, 5));
  }
}
