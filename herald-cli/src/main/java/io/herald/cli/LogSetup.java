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
 * token or an update's data; this layer only shapes the lines.
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

  /** {@code 2026-11-27T06:40:00.123Z INFO HubServer: message}. */
  static final class Plain extends Formatter {
    @Override
    public String format(LogRecord r) {
      return Instant.ofEpochMilli(r.getMillis()) + " " + r.getLevel().getName() + " "
          + shortName(r.getLoggerName()) + ": " + message(this, r) + System.lineSeparator();
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
      return JSONObjectUtils.toJSONString(line) + System.lineSeparator();
    }
  }
}
