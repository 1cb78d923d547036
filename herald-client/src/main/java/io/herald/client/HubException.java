package io.herald.client;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * A hub refused a request. Carries the status and the hub's reason (a Herald hub answers errors
 * with a one-line {@code text/plain} body). The common refusals have their own subclasses so that
 * they can be caught one by one.
 */
public class HubException extends IOException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String reason;
  private Duration retryAfter;

  /** A refusal with {@code status} and the hub's {@code reason} (may be empty). */
  public HubException(int status, String reason) {
    super("hub answered " + status + (reason.isEmpty() ? "" : ": " + reason));
    this.status = status;
    this.reason = reason;
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** The hub's one-line reason; empty if it gave none. */
  public String reason() {
    return reason;
  }

  /**
   * How long the hub asked to wait before trying again ({@code Retry-After}, e.g. on a 503 while
   * it drains), if it said.
   */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /** Attaches the hub's {@code Retry-After}; returns this exception. */
  public HubException withRetryAfter(Duration delay) {
    this.retryAfter = delay;
    return this;
  }

  /** The exception for {@code status}: one of the subclasses when there is one. */
  public static HubException of(int status, String reason) {
    switch (status) {
      case 400:
        return new BadRequest(reason);
      case 401:
        return new Unauthorized(reason);
      case 403:
        return new Forbidden(reason);
      case 413:
        return new PayloadTooLarge(reason);
      case 503:
        return new Unavailable(reason);
      default:
        return new HubException(status, reason);
    }
  }

  /** 400: the request was malformed (e.g. no topic, an ID with a line break). */
  public static final class BadRequest extends HubException {
    private static final long serialVersionUID = 1L;

    public BadRequest(String reason) {
      super(400, reason);
    }
  }

  /** 401: a token is needed, or the one sent is invalid (bad signature, expired...). */
  public static final class Unauthorized extends HubException {
    private static final long serialVersionUID = 1L;

    public Unauthorized(String reason) {
      super(401, reason);
    }
  }

  /** 403: the token is valid but does not allow this (e.g. a topic outside its claims). */
  public static final class Forbidden extends HubException {
    private static final long serialVersionUID = 1L;

    public Forbidden(String reason) {
      super(403, reason);
    }
  }

  /** 413: the update is larger than the hub accepts. */
  public static final class PayloadTooLarge extends HubException {
    private static final long serialVersionUID = 1L;

    public PayloadTooLarge(String reason) {
      super(413, reason);
    }
  }

  /** 503: the hub cannot take the request now (overloaded, shutting down, store unavailable). */
  public static final class Unavailable extends HubException {
    private static final long serialVersionUID = 1L;

    public Unavailable(String reason) {
      super(503, reason);
    }
  }
}
