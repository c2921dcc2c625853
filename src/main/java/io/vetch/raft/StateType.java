package io.vetch.raft;

/** The role of a member in its current term. */
public enum StateType {
  FOLLOWER, PRE_CANDIDATE, CANDIDATE, LEADER
}
