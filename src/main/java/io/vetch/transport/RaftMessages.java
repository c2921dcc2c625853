package io.vetch.transport;

import io.vetch.api.raftpb.Message;
import java.util.List;

/** A batch of Raft messages to send, each to its Message.to. */
public record RaftMessages(List<Message> messages) {}
