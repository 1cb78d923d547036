package io.herald.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The comparison's PNG charts: latency percentiles against publish rate (one chart per sweep, every
 * target on it) and memory per idle connection. Headless; files are overwritten.
 */
final class ChartWriter {
  static final String MEMORY_PNG = "memory-per-connection.png";
  private static final int WIDTH = 900;
  private static final int HEIGHT = 540;

  private ChartWriter() {}

  /** Writes the charts of {@code results} into {@code dir}; returns the files written. */
  static List<String> write(Results results, Path dir) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Files.createDirectories(dir);
    List<String> files = new ArrayList<>();
    for (String sweep : results.sweeps()) {
      String name = latencyFile(results, sweep);
      latency(results, sweep, dir.resolve(name).toFile());
      files.add(name);
    }
    memory(results, dir.resolve(MEMORY_PNG).toFile());
    files.add(MEMORY_PNG);
    return files;
  }

  /** The file name of a sweep's chart: {@code latency-vs-rate-10000.png} for 10,000 subscribers. */
  static String latencyFile(Results results, String sweep) {
    return "latency-vs-rate-" + subscribers(results, sweep) + ".png";
  }

  private static String subscribers(Results results, String sweep) {
    for (String target : results.targets()) {
      Map<String, Object> report = results.report(target, sweep);
      if (report != null && report.get("subscribers") instanceof Number n) {
        return Long.toString(n.longValue());
      }
    }
    return "unknown";
  }

  private static void latency(Results results, String sweep, File file) throws IOException {
    XYSeriesCollection data = new XYSeriesCollection();
    String[][] percentiles = {{"p50", "p50Ms"}, {"p99", "p99Ms"}, {"p99.9", "p999Ms"}};
    for (String target : results.targets()) {
      for (String[] p : percentiles) {
        XYSeries s = new XYSeries(target + " " + p[0]);
        for (Map<String, Object> step : results.steps(target, sweep)) {
          double ms = ((Number) step.get(p[1])).doubleValue();
          s.add(((Number) step.get("rate")).doubleValue(), Math.max(ms, 0.01));
        }
        if (s.getItemCount() > 0) {
          data.addSeries(s);
        }
      }
    }
    String x = "updates published per second, one topic, " + subscribers(results, sweep) + " subscribers (log)";
    String y = "publish-to-receive latency, ms (log)";
    JFreeChart chart = ChartFactory.createXYLineChart(
        "Fan-out latency percentiles vs publish rate", x, y, data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    LogAxis yAxis = new LogAxis(y);
    yAxis.setSmallestValue(0.01);
    yAxis.setNumberFormatOverride(new DecimalFormat("#,##0.##"));
    plot.setRangeAxis(yAxis);
    LogAxis xAxis = new LogAxis(x);
    xAxis.setSmallestValue(0.5);
    xAxis.setNumberFormatOverride(new DecimalFormat("#,##0.##"));
    plot.setDomainAxis(xAxis);
    plot.setRenderer(new XYLineAndShapeRenderer(true, true));
    ChartUtils.saveChartAsPNG(file, chart, WIDTH, HEIGHT);
  }

  private static void memory(Results results, File file) throws IOException {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (String target : results.targets()) {
      double rss = results.number(target, "IDLE", "rssPerConnectionBytes");
      double heap = results.number(target, "IDLE", "heapPerConnectionBytes");
      if (!Double.isNaN(rss)) {
        data.addValue(rss / 1024, "resident memory per connection (KiB)", target);
      }
      if (!Double.isNaN(heap)) {
        data.addValue(heap / 1024, "JVM heap per connection (KiB)", target);
      }
    }
    JFreeChart chart = ChartFactory.createBarChart(
        "Memory per idle subscriber", "target", "KiB per connection", data);
    ChartUtils.saveChartAsPNG(file, chart, WIDTH, HEIGHT);
  }
}
