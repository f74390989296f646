package io.lifeline.bench;

import java.util.Locale;
import java.util.Map;

/**
 * A small SVG of how the cost grows with the subscribers held: RSS per subscriber, heap per subscriber and CPU above
 * idle against N, one line per server.
 */
final class GrowthPlot {

    private static final String[] COLOURS = {"#0b6e4f", "#c44536", "#3d5a80", "#b08900"};
    private static final String[] TITLES = {"RSS per subscriber (KB)", "heap per subscriber (KiB)",
            "CPU above idle (% of a core)"};
    private static final double[] SCALES = {1 / 1000.0, 1 / 1024.0, 1};
    private static final int W = 260;
    private static final int H = 170;
    private static final int PAD = 40;

    private GrowthPlot() {
    }

    /** @param growth by server, by N: {RSS bytes, heap bytes (NaN: not a JVM), CPU percent} per subscriber */
    static String svg(Map<String, Map<Integer, double[]>> growth) {
        StringBuilder s = new StringBuilder();
        int width = 3 * (W + PAD) + PAD;
        int height = H + 2 * PAD + 20 * growth.size();
        s.append(String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
                + "font-family='sans-serif' font-size='11'>%n<rect width='100%%' height='100%%' fill='white'/>%n",
                width, height));
        double maxN = growth.values().stream().flatMap(m -> m.keySet().stream()).mapToInt(i -> i).max().orElse(1);
        for (int panel = 0; panel < 3; panel++) {
            int x0 = PAD + panel * (W + PAD);
            int y0 = PAD;
            double max = 0;
            for (Map<Integer, double[]> levels : growth.values()) {
                for (double[] v : levels.values()) {
                    if (!Double.isNaN(v[panel])) {
                        max = Math.max(max, v[panel] * SCALES[panel]);
                    }
                }
            }
            max = max <= 0 ? 1 : max * 1.15;
            s.append(String.format(Locale.ROOT, "<text x='%d' y='%d' font-weight='bold'>%s</text>%n", x0, y0 - 10,
                    TITLES[panel]));
            s.append(String.format(Locale.ROOT, "<rect x='%d' y='%d' width='%d' height='%d' fill='none' "
                    + "stroke='#999'/>%n", x0, y0, W, H));
            s.append(String.format(Locale.ROOT, "<text x='%d' y='%d'>0</text><text x='%d' y='%d' "
                    + "text-anchor='end'>%,.0f subscribers</text>%n", x0, y0 + H + 14, x0 + W, y0 + H + 14, maxN));
            s.append(String.format(Locale.ROOT, "<text x='%d' y='%d' text-anchor='end'>%.1f</text>%n", x0 - 3,
                    y0 + 10, max));
            int colour = 0;
            for (Map.Entry<String, Map<Integer, double[]>> server : growth.entrySet()) {
                StringBuilder points = new StringBuilder();
                for (Map.Entry<Integer, double[]> level : server.getValue().entrySet()) {
                    double v = level.getValue()[panel] * SCALES[panel];
                    if (Double.isNaN(v)) {
                        continue;
                    }
                    double x = x0 + W * level.getKey() / maxN;
                    double y = y0 + H - H * Math.max(0, v) / max;
                    points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                    s.append(String.format(Locale.ROOT, "<circle cx='%.1f' cy='%.1f' r='2.5' fill='%s'/>%n", x, y,
                            COLOURS[colour % COLOURS.length]));
                }
                if (points.length() > 0) {
                    s.append(String.format(Locale.ROOT, "<polyline points='%s' fill='none' stroke='%s' "
                            + "stroke-width='2'/>%n", points.toString().trim(), COLOURS[colour % COLOURS.length]));
                }
                colour++;
            }
        }
        int colour = 0;
        for (String server : growth.keySet()) {
            int y = PAD + H + 36 + 18 * colour;
            s.append(String.format(Locale.ROOT, "<rect x='%d' y='%d' width='12' height='12' fill='%s'/><text x='%d' "
                    + "y='%d'>%s</text>%n", PAD, y - 10, COLOURS[colour % COLOURS.length], PAD + 18, y, server));
            colour++;
        }
        return s.append("</svg>\n").toString();
    }
}
