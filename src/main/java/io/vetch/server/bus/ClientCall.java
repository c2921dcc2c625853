package io.vetch.server.bus;

import com.google.protobuf.Message;

/**
 * A request or response of the in-process client (embedding), passed by reference between an application's
 * verticles and a member's client verticles. body is null in control messages (stream acks and ends).
 */
public record ClientCall(Message body) {}
