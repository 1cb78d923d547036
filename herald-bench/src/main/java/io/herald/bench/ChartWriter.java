package io.herald.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The comparison's PNG charts: latency percentiles against publish rate (from each target's
 * sweep) and memory per idle connection. Headless; files are overwritten.
 */
final class ChartWriter {
  static final String LATENCY_PNG = "latency-vs-rate.png";
  static final String MEMORY_PNG = "memory-per-connection.png";
  private static final int WIDTH = 900;
  private static final int HEIGHT = 540;

  private ChartWriter() {}

  /** Writes the charts of {@code results} into {@code dir}; returns the files written. */
  static List<String> write(Results results, Path dir) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Files.createDirectories(dir);
    latency(results, dir.resolve(LATENCY_PNG).toFile());
    memory(results, dir.resolve(MEMORY_PNG).toFile());
    return List.of(LATENCY_PNG, MEMORY_PNG);
  }

  private static void latency(Results results, File file) throws IOException {
    XYSeriesCollection data = new XYSeriesCollection();
    for (String target : results.targets()) {
      for (String[] p : new String[][] {{"p50", "p50Ms"}, {"p99", "p99Ms"}, {"p99.9", "p999Ms"}}) {
        XYSeries s = new XYSeries(target + " " + p[0]);
        for (Map<String, Object> step : results.steps(target)) {
          double ms = ((Number) step.get(p[1])).doubleValue();
          s.add(((Number) step.get("rate")).doubleValue(), Math.max(ms, 0.01));
        }
        if (s.getItemCount() > 0) {
          data.addSeries(s);
        }
      }
    }
    JFreeChart chart = ChartFactory.createXYLineChart(
        "Fan-out latency vs publish rate", "updates published per second (one topic, every subscriber)",
        "publish-to-receive latency (ms, log)", data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    LogAxis y = new LogAxis("publish-to-receive latency (ms, log)");
    y.setSmallestValue(0.01);
    plot.setRangeAxis(y);
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
