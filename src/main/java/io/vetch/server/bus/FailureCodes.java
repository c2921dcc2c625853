package io.vetch.server.bus;

/** Failure codes the raft verticle answers event-bus requests with (ReplyException.failureCode()). */
public final class FailureCodes {
  private FailureCodes() {}

  /** Move-leader asked of a member that is not the leader. */
  public static final int NOT_LEADER = 2;
  /** Move-leader to a member that is not a voter. */
  public static final int BAD_TRANSFEREE = 3;
  /** The transferee did not take over in time. */
  public static final int TRANSFER_TIMEOUT = 4;
  /** This member's storage failed (the message is the client's error message). */
  public static final int STORAGE_FAILED = 5;
}
