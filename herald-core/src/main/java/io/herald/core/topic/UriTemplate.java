package io.herald.core.topic;

import java.util.ArrayList;
import java.util.List;

/**
 * An RFC 6570 URI template used as a matcher: could a given URI be an expansion of this template?
 *
 * <p><b>Why these exact semantics.</b> Mercure hubs match topic selectors with the Go library
 * yosida95/uritemplate v3: they call {@code Template.Regexp()} and then {@code MatchString}. A
 * selector must select the same topics here as on any other Mercure hub, so this class accepts
 * exactly the language of that regular expression, which is <em>not</em> the same as "some
 * values expand to this URI" in every corner:
 *
 * <ul>
 *   <li>Every expression is optional as a whole (a missing variable expands to nothing), and each
 *       variable value is a run, possibly empty, of allowed characters and {@code %XX} triplets.
 *   <li>Simple {@code {x}}, label {@code {.x}}, path {@code {/x}}: unreserved characters
 *       ({@code A-Z a-z 0-9 - . _ ~}) and {@code ,} (so a list value {@code a,b} matches).
 *       Path-param {@code {;x}}, query {@code {?x}}, continuation {@code {&x}} (the "named"
 *       operators) and any exploded variable additionally allow {@code =}. Reserved
 *       {@code {+x}} and fragment {@code {#x}} allow unreserved and reserved characters
 *       ({@code :/?#[]@!$&'()*+,;=}). No operator ever allows a raw {@code %} outside a triplet,
 *       a space, or any non-ASCII character.
 *   <li>An expression with an operator starts with its prefix ({@code # . / ; ? &}); further
 *       variables are joined by the operator's separator ({@code ,} for simple, {@code +} and
 *       {@code #}; {@code .}, {@code /}, {@code ;} for their own operator; {@code &} for
 *       {@code ?} and {@code &}). With n variables at most n-1 separators may follow; with an
 *       exploded variable ({@code x*}) any number may.
 *   <li>Variable names are not matched: {@code {;x}} accepts {@code ;y=1} as well (as in Go).
 *       A prefix modifier {@code :n} is validated (1 to 9999) but does not limit the length.
 * </ul>
 *
 * <p><b>Malformed templates</b> (unclosed or stray brace, reserved operator such as
 * {@code {=x}} or {@code {!x}}, empty or invalid variable name, bad {@code %} triplet, a
 * character that RFC 6570 forbids in literals such as a space, {@code "} or {@code |}) compile
 * without error to a template that matches only the template string itself, byte for byte. On a
 * Mercure hub such a selector fails to compile and then selects only the identical topic, so
 * the observable behaviour is the same. Templates longer than {@link #MAX_LENGTH} characters or
 * with more than {@link #MAX_VARIABLES} variables are treated as malformed too: they are never
 * sensible topic selectors and the caps bound the work one hostile selector can cause.
 *
 * <p><b>Why no java.util.regex.</b> The expression Go builds is ambiguous (a simple value may
 * itself contain the {@code ,} separator, consecutive expressions may split a run anywhere),
 * which is harmless for Go's linear-time engine but makes a backtracking engine exponential on
 * inputs that almost match, and selectors come from untrusted clients. So the template is
 * compiled to a small Thompson NFA and run by simulating all states at once: time is
 * O(uri length x template size), memory O(template size), whatever the input.
 *
 * <p>Immutable and thread-safe.
 */
public final class UriTemplate {
  /** Longest template compiled as a template; longer ones match only themselves. */
  public static final int MAX_LENGTH = 2048;

  /** Most variables (across all expressions) in a template; more and it matches only itself. */
  public static final int MAX_VARIABLES = 64;

  /** Bytes of a JVM object header plus alignment slack, for {@link #retainedBytes()}. */
  private static final int OBJECT_OVERHEAD = 16;
  /** Bytes of an array header (a String's value array, the program). */
  private static final int ARRAY_OVERHEAD = 16;

  private final String raw;
  /** The NFA as a program (see {@link Program}), or {@code null} for a malformed template. */
  private final int[] program;
  /**
   * The literal text before the first expression, which every match starts with: most topics a
   * template meets on a hub differ from it early (other sites, other collections), and this
   * answers them without running the program or allocating its state lists.
   */
  private final String literalPrefix;

  private UriTemplate(String raw, int[] program, String literalPrefix) {
    this.raw = raw;
    this.program = program;
    this.literalPrefix = literalPrefix;
  }

  /**
   * Compiles a template. Never throws for any non-null input: a malformed template compiles to
   * one that matches only its own text (see the class comment).
   */
  public static UriTemplate compile(String template) {
    List<Object> parts = template.length() <= MAX_LENGTH ? Parser.parse(template) : null;
    if (parts == null) {
      return new UriTemplate(template, null, template);
    }
    String prefix = !parts.isEmpty() && parts.get(0) instanceof String s ? s : "";
    Program b = new Program();
    for (Object part : parts) {
      if (part instanceof String s) {
        b.literal(s);
      } else {
        b.expression((Expression) part);
      }
    }
    return new UriTemplate(template, b.finish(), prefix);
  }

  /** Whether {@code uri} is matched by this template (for a malformed one: equals it). */
  public boolean matches(String uri) {
    if (program == null) {
      return raw.equals(uri);
    }
    if (!uri.startsWith(literalPrefix)) {
      return false;
    }
    int[] code = program;
    // Generation stamps instead of clearing a visited set between steps.
    int[] seen = new int[code.length];
    int[] current = new int[code.length];
    int[] following = new int[code.length];
    int generation = 1;
    int n = add(code, 0, current, 0, seen, generation);
    for (int i = 0; i < uri.length() && n > 0; i++) {
      char c = uri.charAt(i);
      generation++;
      int m = 0;
      for (int j = 0; j < n; j++) {
        int pc = current[j];
        if (Program.accepts(code[pc], c)) {
          m = add(code, pc + 1, following, m, seen, generation);
        }
      }
      int[] swap = current;
      current = following;
      following = swap;
      n = m;
    }
    for (int j = 0; j < n; j++) {
      if (Program.op(code[current[j]]) == Program.MATCH) {
        return true;
      }
    }
    return false;
  }

  /**
   * An estimate of the heap this object keeps reachable: its header, the template string (2
   * bytes a char, as if UTF-16, so never an underestimate) and the program (4 bytes an
   * instruction, about one per literal character plus a dozen per variable). Caches weigh
   * compiled templates by it, so it must not underestimate; a few bytes too many only make a
   * cache hold slightly fewer entries.
   */
  public int retainedBytes() {
    long bytes = OBJECT_OVERHEAD + 8L
        + OBJECT_OVERHEAD + 8L + ARRAY_OVERHEAD + 2L * raw.length()
        + (program == null ? 0 : ARRAY_OVERHEAD + 4L * program.length);
    return (int) Math.min(Integer.MAX_VALUE, bytes);
  }

  /**
   * An upper bound on the steps {@link #matches} takes for {@code uri}: the program's size times
   * the characters it reads, or nothing when the literal prefix already decides. Callers that
   * cache results use it to cache only matches that cost more than a cache look-up and insert.
   */
  public long matchCost(String uri) {
    if (program == null || !uri.startsWith(literalPrefix)) {
      return 1;
    }
    return (long) program.length * (uri.length() - literalPrefix.length() + 1);
  }

  /** Whether the template parsed; a malformed one only matches its own text. */
  public boolean isValid() {
    return program != null;
  }

  /** The template as given. */
  public String template() {
    return raw;
  }

  @Override
  public String toString() {
    return raw;
  }

  /**
   * The regular expression the Go library would build for this template, in syntax that
   * java.util.regex accepts too; {@code null} for a malformed template. For documentation and
   * differential tests only: matching never uses it (see the class comment for why).
   */
  String regex() {
    if (program == null) {
      return null;
    }
    StringBuilder re = new StringBuilder("^");
    for (Object part : Parser.parse(raw)) {
      if (part instanceof String s) {
        re.append('(').append(quote(s)).append(')');
      } else {
        ((Expression) part).appendRegex(re);
      }
    }
    return re.append('$').toString();
  }

  /** Adds the instruction at {@code pc} and everything reachable from it without consuming input. */
  private static int add(int[] code, int pc, int[] list, int n, int[] seen, int generation) {
    if (seen[pc] == generation) {
      return n;
    }
    seen[pc] = generation;
    int word = code[pc];
    switch (Program.op(word)) {
      case Program.SPLIT:
        for (int k = 1; k <= Program.operand(word); k++) {
          n = add(code, code[pc + k], list, n, seen, generation);
        }
        return n;
      case Program.JUMP:
        return add(code, Program.operand(word), list, n, seen, generation);
      default:
        list[n] = pc;
        return n + 1;
    }
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder();
    s.codePoints()
        .forEach(
            c -> {
              if (c < 0x80 && !Character.isLetterOrDigit(c)) {
                b.append(String.format("\\x%02x", c));
              } else {
                b.appendCodePoint(c);
              }
            });
    return b.toString();
  }

  // ---------------------------------------------------------------------------------------------
  // Character classes

  /** Unreserved characters: ALPHA / DIGIT / "-" / "." / "_" / "~". */
  private static final long[] UNRESERVED_CHARS = chars("-._~", true);

  /** Reserved characters: gen-delims and sub-delims. */
  private static final long[] RESERVED_CHARS = chars(":/?#[]@!$&'()*+,;=", false);

  private static long[] chars(String extra, boolean alnum) {
    long[] set = new long[2];
    for (int c = 0; c < 128; c++) {
      boolean in =
          extra.indexOf(c) >= 0
              || (alnum && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')));
      if (in) {
        set[c >> 6] |= 1L << (c & 63);
      }
    }
    return set;
  }

  private static long[] union(long[] a, long[] b) {
    return new long[] {a[0] | b[0], a[1] | b[1]};
  }

  private static long[] with(long[] a, char c) {
    long[] r = a.clone();
    r[c >> 6] |= 1L << (c & 63);
    return r;
  }

  // ---------------------------------------------------------------------------------------------
  // Parsed form

  /** An RFC 6570 operator with what the Go matcher derives from it. */
  private enum Operator {
    SIMPLE("", ",", false, false),
    RESERVED("", ",", false, true),
    FRAGMENT("#", ",", false, true),
    LABEL(".", ".", false, false),
    PATH("/", "/", false, false),
    PATH_PARAM(";", ";", true, false),
    QUERY("?", "&", true, false),
    CONTINUATION("&", "&", true, false);

    final String first;
    final String separator;
    final boolean named;
    final boolean reservedAllowed;

    Operator(String first, String separator, boolean named, boolean reservedAllowed) {
      this.first = first;
      this.separator = separator;
      this.named = named;
      this.reservedAllowed = reservedAllowed;
    }

    static Operator of(char c) {
      switch (c) {
        case '+':
          return RESERVED;
        case '#':
          return FRAGMENT;
        case '.':
          return LABEL;
        case '/':
          return PATH;
        case ';':
          return PATH_PARAM;
        case '?':
          return QUERY;
        case '&':
          return CONTINUATION;
        default:
          return null;
      }
    }

    /**
     * Characters a value may hold besides {@code %XX} triplets. Without the reserved set, the
     * list separator {@code ,} is allowed (unexploded lists), and {@code =} too when the value
     * may carry {@code name=} (named operators, exploded variables).
     */
    long[] allowed(boolean nameValue) {
      if (reservedAllowed) {
        return union(UNRESERVED_CHARS, RESERVED_CHARS);
      }
      long[] set = with(UNRESERVED_CHARS, ',');
      return nameValue ? with(set, '=') : set;
    }
  }

  /**
   * One {@code {...}} expression. {@code explodeFirst}: whether the first variable is exploded;
   * {@code maxRepeats}: how many separator-prefixed values may follow the first one, -1 for any
   * number (some variable is exploded).
   */
  private record Expression(Operator op, boolean explodeFirst, int maxRepeats) {
    long[] firstClass() {
      return op.allowed(op.named || explodeFirst);
    }

    long[] repeatClass() {
      return op.allowed(op.named || maxRepeats < 0);
    }

    void appendRegex(StringBuilder re) {
      if (!op.first.isEmpty()) {
        re.append("(?:").append(quote(op.first));
      }
      re.append('(');
      appendClass(re, firstClass());
      if (maxRepeats != 0) {
        re.append("(?:").append(quote(op.separator));
        appendClass(re, repeatClass());
        re.append(')').append(maxRepeats > 0 ? "{0," + maxRepeats + "}" : "*");
      }
      re.append(')');
      if (!op.first.isEmpty()) {
        re.append(')');
      }
      re.append('?');
    }

    private static void appendClass(StringBuilder re, long[] set) {
      re.append("(?:(?:[");
      for (int c = 0; c < 128; c++) {
        if ((set[c >> 6] & (1L << (c & 63))) != 0) {
          re.append(String.format("\\x%02x", c));
        }
      }
      re.append("]|%[0-9A-Fa-f][0-9A-Fa-f])*)");
    }
  }

  /** RFC 6570 template syntax, as strict as the Go parser; returns null when malformed. */
  private static final class Parser {
    private final String t;
    private int i;
    private int variables;

    private Parser(String t) {
      this.t = t;
    }

    /** The parts (literal Strings and Expressions) or {@code null} if malformed. */
    static List<Object> parse(String template) {
      return new Parser(template).parse();
    }

    private List<Object> parse() {
      List<Object> parts = new ArrayList<>();
      StringBuilder literal = new StringBuilder();
      while (i < t.length()) {
        int c = t.codePointAt(i);
        if (c == '{') {
          if (literal.length() > 0) {
            parts.add(literal.toString());
            literal.setLength(0);
          }
          Expression e = expression();
          if (e == null) {
            return null;
          }
          parts.add(e);
        } else if (c == '%') {
          if (!triplet()) {
            return null;
          }
          literal.append(t, i - 3, i);
        } else if (isLiteral(c)) {
          literal.appendCodePoint(c);
          i += Character.charCount(c);
        } else {
          return null;
        }
      }
      if (literal.length() > 0) {
        parts.add(literal.toString());
      }
      return parts;
    }

    /** Parses {@code {op var[,var...]}} starting at the brace; null if malformed. */
    private Expression expression() {
      i++; // '{'
      if (i >= t.length()) {
        return null;
      }
      char c = t.charAt(i);
      Operator op = Operator.of(c);
      if (op != null) {
        i++;
      } else if ("=,!@|".indexOf(c) >= 0) {
        return null; // op-reserved: RFC 6570 keeps these for future extensions
      } else {
        op = Operator.SIMPLE;
      }
      int count = 0;
      boolean explodeFirst = false;
      boolean anyExplode = false;
      while (true) {
        boolean explode;
        int nameStart = i;
        if (!varname()) {
          return null;
        }
        if (i == nameStart || t.charAt(i - 1) == '.' || i >= t.length()) {
          return null;
        }
        explode = false;
        if (t.charAt(i) == '*') {
          explode = true;
          i++;
        } else if (t.charAt(i) == ':' && !prefix()) {
          return null;
        }
        if (++variables > MAX_VARIABLES || i >= t.length()) {
          return null;
        }
        if (count++ == 0) {
          explodeFirst = explode;
        }
        anyExplode |= explode;
        char end = t.charAt(i++);
        if (end == '}') {
          break;
        }
        if (end != ',') {
          return null;
        }
      }
      return new Expression(op, explodeFirst, anyExplode ? -1 : count - 1);
    }

    /** Consumes a variable name: varchars, %XX triplets, single inner dots. */
    private boolean varname() {
      int nameStart = i;
      while (i < t.length()) {
        char c = t.charAt(i);
        if (c == '%') {
          if (!triplet()) {
            return false;
          }
        } else if (c == '.') {
          if (i == nameStart || t.charAt(i - 1) == '.') {
            return false;
          }
          i++;
        } else if (c == '_' || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')
            || (c >= 'a' && c <= 'z')) {
          i++;
        } else {
          return true;
        }
      }
      return true;
    }

    /** Consumes {@code :n} with n in 1..9999 and no leading zero. */
    private boolean prefix() {
      i++; // ':'
      int digits = 0;
      int value = 0;
      while (i < t.length() && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
        value = value * 10 + (t.charAt(i) - '0');
        if (value == 0 || value > 9999) {
          return false;
        }
        digits++;
        i++;
      }
      return digits > 0;
    }

    /** Consumes {@code %XX} at i. */
    private boolean triplet() {
      if (i + 3 > t.length() || !isHex(t.charAt(i + 1)) || !isHex(t.charAt(i + 2))) {
        return false;
      }
      i += 3;
      return true;
    }

    /** RFC 6570 "literals" (with erratum 6937 allowing the apostrophe), minus '%'. */
    private static boolean isLiteral(int c) {
      if (c < 0x80) {
        return c == '!' || c == '#' || c == '$' || (c >= '&' && c <= ';') || c == '='
            || (c >= '?' && c <= '[') || c == ']' || c == '_' || (c >= 'a' && c <= 'z')
            || c == '~';
      }
      if (c <= 0xFFFF) {
        return (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xF8FF)
            || (c >= 0xF900 && c <= 0xFDCF) || (c >= 0xFDF0 && c <= 0xFFEF);
      }
      // ucschar and iprivate in the supplementary planes: all but the last two code points of
      // each plane, and plane 14 only from U+E1000.
      return c <= 0x10FFFD && (c & 0xFFFF) <= 0xFFFD && (c < 0xE0000 || c >= 0xE1000);
    }
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  // ---------------------------------------------------------------------------------------------
  // NFA

  /**
   * Builds the NFA as a flat program of {@code int} instructions (Thompson's construction in the
   * style of a Pike VM), front to back: the high byte is the opcode, the low 24 bits its operand.
   * One literal character is one instruction (4 bytes), where an object per state cost about 40,
   * so a compiled template stays a small multiple of its text; a subscriber's index entry holds it
   * for as long as the subscriber stays (see {@code SubscriberIndex}).
   *
   * <ul>
   *   <li>{@code CHAR c}: consumes {@code c}, continues at the next instruction.
   *   <li>{@code SET k}: consumes a character of class {@code k} ({@link #CLASSES}).
   *   <li>{@code HEX}: consumes a hex digit.
   *   <li>{@code SPLIT n}: continues at each of the {@code n} targets in the following words.
   *   <li>{@code JUMP t}: continues at {@code t}.
   *   <li>{@code MATCH}: accepts.
   * </ul>
   *
   * <p>A template is at most {@link #MAX_LENGTH} characters with {@link #MAX_VARIABLES}
   * variables, so a program has a few thousand instructions and its offsets fit in 24 bits.
   */
  private static final class Program {
    static final int CHAR = 0;
    static final int SET = 1;
    static final int HEX = 2;
    static final int SPLIT = 3;
    static final int JUMP = 4;
    static final int MATCH = 5;

    /** The character classes a {@code SET} may name; every operator's are among these three. */
    static final long[][] CLASSES = {
      union(UNRESERVED_CHARS, RESERVED_CHARS),
      with(UNRESERVED_CHARS, ','),
      with(with(UNRESERVED_CHARS, ','), '='),
    };

    private int[] code = new int[64];
    private int size;

    static int op(int word) {
      return word >>> 24;
    }

    static int operand(int word) {
      return word & 0xFFFFFF;
    }

    static boolean accepts(int word, char ch) {
      switch (op(word)) {
        case CHAR:
          return ch == operand(word);
        case SET:
          long[] set = CLASSES[operand(word)];
          return ch < 128 && (set[ch >> 6] & (1L << (ch & 63))) != 0;
        case HEX:
          return isHex(ch);
        default:
          return false;
      }
    }

    static int classOf(long[] set) {
      for (int k = 0; k < CLASSES.length; k++) {
        if (java.util.Arrays.equals(CLASSES[k], set)) {
          return k;
        }
      }
      throw new IllegalStateException("no such character class");
    }

    private int emit(int op, int operand) {
      if (size == code.length) {
        code = java.util.Arrays.copyOf(code, size * 2);
      }
      code[size] = (op << 24) | operand;
      return size++;
    }

    /** Emits {@code SPLIT n} and {@code n} empty target slots; returns the first slot. */
    private int split(int n) {
      emit(SPLIT, n);
      int first = size;
      for (int k = 0; k < n; k++) {
        emit(CHAR, 0);
      }
      return first;
    }

    private void patch(int slot, int target) {
      code[slot] = target;
    }

    void literal(String text) {
      for (int k = 0; k < text.length(); k++) {
        emit(CHAR, text.charAt(k));
      }
    }

    /** {@code (?:[set]|%XX)*}. */
    void run(long[] set) {
      int loop = size;
      int slots = split(3);
      patch(slots, size);
      emit(SET, classOf(set));
      emit(JUMP, loop);
      patch(slots + 1, size);
      emit(CHAR, '%');
      emit(HEX, 0);
      emit(HEX, 0);
      emit(JUMP, loop);
      patch(slots + 2, size);
    }

    /** {@code (?:first value (?:sep value){0,max})?}. */
    void expression(Expression e) {
      int skip = split(2);
      patch(skip, size);
      literal(e.op().first);
      run(e.firstClass());
      List<Integer> exits = new ArrayList<>();
      exits.add(skip + 1);
      if (e.maxRepeats() < 0) {
        int loop = size;
        int slots = split(2);
        patch(slots, size);
        literal(e.op().separator);
        run(e.repeatClass());
        emit(JUMP, loop);
        exits.add(slots + 1);
      } else {
        // Unrolled: after the k-th repeat, stop or take one more, up to maxRepeats.
        for (int k = 0; k < e.maxRepeats(); k++) {
          int slots = split(2);
          patch(slots, size);
          literal(e.op().separator);
          run(e.repeatClass());
          exits.add(slots + 1);
        }
      }
      for (int slot : exits) {
        patch(slot, size);
      }
    }

    int[] finish() {
      emit(MATCH, 0);
      return java.util.Arrays.copyOf(code, size);
    }
  }
}
