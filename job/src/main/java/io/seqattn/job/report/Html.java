package io.seqattn.job.report;

/** What the report pages share: escaping for HTML and SVG text and attributes, table rows, the style. */
final class Html {
  /** The pages' shared style sheet, inlined into each. */
  static final String STYLE = String.join("",
      "body{font:14px/1.45 system-ui,sans-serif;max-width:760px;margin:2em auto;padding:0 1em;color:#222}",
      "h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ddd}",
      "table{border-collapse:collapse}th{text-align:left;padding:2px 1em 2px 0;color:#555;font-weight:normal}",
      "td{overflow-wrap:anywhere}svg.chart{display:block;max-width:100%;height:auto}",
      "svg text{font:11px system-ui,sans-serif;fill:#333}.flag{color:#b00020;font-weight:bold}.ok{color:#006b3c}",
      ".legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:1em}",
      ".legend span{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:50%}",
      "footer{margin-top:3em;color:#888;font-size:12px}");

  private Html() {}

  static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** A row of a two-column summary table, both cells escaped. */
  static void row(StringBuilder h, String name, String value) {
    h.append("<tr><th>").append(escape(name)).append("</th><td>").append(escape(value)).append("</td></tr>");
  }
}
