package io.herald.hub.subscribe;

import io.herald.core.update.Update;
import io.netty.buffer.ByteBuf;

/**
 * An update and its SSE bytes, encoded once. Every subscriber gets a retained duplicate of the
 * same buffer: the bytes exist once in memory however many subscribers receive them.
 */
record Delivery(Update update, ByteBuf bytes) {}
