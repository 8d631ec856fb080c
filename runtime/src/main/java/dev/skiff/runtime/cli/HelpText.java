package dev.skiff.runtime.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Lays out help text for an 80-column terminal: wrapped paragraphs, and two-column tables of
 * options or modes whose descriptions wrap under each other.
 */
final class HelpText {
  private static final int WIDTH = 80;

  /** A description longer than this many columns starts on the line below its name. */
  private static final int MAX_NAME_COLUMN = 32;

  private HelpText() {}

  /** One table line: what is typed (e.g. {@code " --port=<port>"}) and what it does. */
  record Row(String name, String description) {}

  static void paragraph(PrintStream out, String text) {
    for (String line : wrap(text, WIDTH)) {
      out.println(line);
    }
  }

  static void table(PrintStream out, List<Row> rows) {
    int longest = rows.stream().mapToInt(row -> row.name().length()).max().orElse(0);
    int column = Math.min(longest + 2, MAX_NAME_COLUMN);
    String indent = " ".repeat(column);
    for (Row row : rows) {
      List<String> lines = wrap(row.description(), WIDTH - column);
      if (row.name().length() + 2 > column) {
        out.println(row.name());
        lines.forEach(line -> out.println(indent + line));
        continue;
      }
      for (int i = 0; i < lines.size(); i++) {
        String name = i == 0 ? row.name() : "";
        out.println(name + " ".repeat(column - name.length()) + lines.get(i));
      }
    }
  }

  /** Greedy word wrap; a word longer than the width gets a line of its own. */
  static List<String> wrap(String text, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.strip().split("\\s+", -1)) {
      if (!line.isEmpty() && line.length() + 1 + word.length() > width) {
        lines.add(line.toString());
        line.setLength(0);
      }
      if (!line.isEmpty()) {
        line.append(' ');
      }
      line.append(word);
    }
    lines.add(line.toString());
    return lines;
  }
}
