package io.herald.cli;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One line per log event on stderr, plain or JSON ({@code --log-format}). The hub never logs a
 * token or an update's data; this layer only shapes the lines. A SEVERE event with an exception
 * (a fatal failure, see {@link FatalExit}) also carries its stack: after the line in plain text,
 * in a {@code stack} field in JSON, so the one line still says what happened.
 *
 * <p>Herald's classes log through {@link System.Logger}, which the JDK routes to
 * java.util.logging when no other backend is installed; this class is where {@code herald serve}
 * configures that backend (see docs/decisions/0005-logging-api.md). A {@code System.Logger} level
 * arrives here as its java.util.logging counterpart: ERROR as SEVERE, DEBUG as FINE.
 */
final class LogSetup {
  private LogSetup() {}

  static void configure(String format) {
    Formatter formatter = switch (format) {
      case "plain" -> new Plain();
      case "json" -> new Json();
      default -> throw new IllegalArgumentException("--log-format must be plain or json, got '" + format + "'");
    };
    Logger root = Logger.getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    ConsoleHandler handler = new ConsoleHandler();
    handler.setFormatter(formatter);
    handler.setLevel(Level.INFO);
    root.addHandler(handler);
    root.setLevel(Level.INFO);
  }

  private static String shortName(String logger) {
    if (logger == null) {
      return "";
    }
    int dot = logger.lastIndexOf('.');
    return dot < 0 ? logger : logger.substring(dot + 1);
  }

  private static String message(Formatter f, LogRecord r) {
    String m = f.formatMessage(r);
    if (r.getThrown() != null) {
      m = m + ": " + r.getThrown();
    }
    return m.replace('\n', ' ').replace('\r', ' ');
  }

  /** The stack of a SEVERE event's exception, or {@code null} for any other event. */
  private static String stack(LogRecord r) {
    if (r.getThrown() == null || r.getLevel().intValue() < Level.SEVERE.intValue()) {
      return null;
    }
    java.io.StringWriter w = new java.io.StringWriter();
    r.getThrown().printStackTrace(new java.io.PrintWriter(w));
    return w.toString();
  }

  /** {@code 2026-11-27T06:40:00.123Z INFO HubServer: message}. */
  static final class Plain extends Formatter {
    @Override
    public String format(LogRecord r) {
      String stack = stack(r);
      return Instant.ofEpochMilli(r.getMillis()) + " " + r.getLevel().getName() + " "
          + shortName(r.getLoggerName()) + ": " + message(this, r) + System.lineSeparator()
          + (stack == null ? "" : stack);
    }
  }

  /** {@code {"ts":"...","level":"INFO","logger":"...","msg":"..."}}. */
  static final class Json extends Formatter {
    @Override
    public String format(LogRecord r) {
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("ts", Instant.ofEpochMilli(r.getMillis()).toString());
      line.put("level", r.getLevel().getName());
      line.put("logger", r.getLoggerName());
      line.put("msg", message(this, r));
      String stack = stack(r);
      if (stack != null) {
        line.put("stack", stack);
      }
      return JSONObjectUtils.toJSONString(line) + System.lineSeparator();
    }
  }
}
