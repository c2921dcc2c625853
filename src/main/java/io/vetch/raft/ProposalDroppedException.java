package io.vetch.raft;

/**
 * A proposal was not appended: this member is not the leader, a leadership transfer is in progress, or another
 * configuration change is still pending. Nothing was logged; the driver forwards to the leader or fails the request.
 */
public final class ProposalDroppedException extends Exception {
  public ProposalDroppedException(String reason) {
    super(reason, null, false, false);
  }
}
