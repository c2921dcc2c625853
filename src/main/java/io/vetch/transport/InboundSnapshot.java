package io.vetch.transport;

import io.vetch.api.raftpb.Message;
import java.nio.file.Path;

/** A MsgSnap received in full: the message and the fsynced store image file now owned by the receiver. */
public record InboundSnapshot(Message message, Path image) {}
